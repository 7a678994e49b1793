package postconfirmation

import (
	"context"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
	"github.com/portcullis-cdk/portcullis/internal/testhelp/awstest"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
	"github.com/portcullis-cdk/portcullis/lambdas/profile"
)

var srv *localaws.Servers

func TestMain(m *testing.M) { os.Exit(awstest.Main(m, &srv)) }

func event(source string, attrs map[string]string) events.CognitoEventUserPoolsPostConfirmation {
	ev := events.CognitoEventUserPoolsPostConfirmation{}
	ev.TriggerSource = source
	ev.UserName = attrs["sub"]
	ev.Request.UserAttributes = attrs
	return ev
}

func stored(t *testing.T, owner string) (profile.Record, bool) {
	t.Helper()
	out, err := srv.DynamoDB(nil).GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(schema.Profiles.Name),
		Key:       map[string]types.AttributeValue{"owner": &types.AttributeValueMemberS{Value: owner}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var r profile.Record
	if out.Item == nil {
		return r, false
	}
	if err := attributevalue.UnmarshalMap(out.Item, &r); err != nil {
		t.Fatal(err)
	}
	return r, true
}

func TestCreatesProfileOnce(t *testing.T) {
	rec := localaws.NewRecorder(nil)
	h := New(srv.DynamoDB(rec), schema.Profiles.Name)
	h.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	sub := httpapitest.NewOwner()
	attrs := map[string]string{
		"sub": sub, "email": "ada@example.com", "email_verified": "true", "phone_number": "+61400000000",
		"name": "Ada", "custom:company": "ACME", "custom:role_name": "Inventor",
	}
	ev := event(ConfirmSignUp, attrs)
	out, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out, ev) {
		t.Fatalf("event changed: %+v", out)
	}
	want := profile.Record{
		Owner: sub, Email: "ada@example.com", PhoneNumber: "+61400000000", Name: "Ada",
		Company: "ACME", RoleName: "Inventor", CreatedAt: "2026-01-02T03:04:05.000Z",
	}
	if got, _ := stored(t, sub); got != want {
		t.Fatalf("stored %+v, want %+v", got, want)
	}

	// A repeated invocation (Cognito retries) succeeds and keeps the first
	// record, even with other attributes and a later clock.
	h.now = time.Now
	attrs["name"] = "Someone Else"
	if _, err := h.Handle(context.Background(), event(ConfirmSignUp, attrs)); err != nil {
		t.Fatalf("repeat: %v", err)
	}
	if got, _ := stored(t, sub); got != want {
		t.Fatalf("repeat overwrote the record: %+v", got)
	}
	if calls := rec.Ops(); !slices.Equal(calls, []string{"dynamodb:PutItem", "dynamodb:PutItem"}) {
		t.Fatalf("calls %v", calls)
	}
}

func TestPhoneOnlyUser(t *testing.T) {
	h := New(srv.DynamoDB(nil), schema.Profiles.Name)
	sub := httpapitest.NewOwner()
	if _, err := h.Handle(context.Background(), event(ConfirmSignUp, map[string]string{"sub": sub, "phone_number": "+61400000001"})); err != nil {
		t.Fatal(err)
	}
	got, ok := stored(t, sub)
	if !ok || got.PhoneNumber != "+61400000001" || got.Email != "" {
		t.Fatalf("stored %+v", got)
	}
}

func TestOtherSources(t *testing.T) {
	rec := localaws.NewRecorder(nil)
	h := New(srv.DynamoDB(rec), schema.Profiles.Name)
	sub := httpapitest.NewOwner()
	ev := event("PostConfirmation_ConfirmForgotPassword", map[string]string{"sub": sub})
	out, err := h.Handle(context.Background(), ev)
	if err != nil || !reflect.DeepEqual(out, ev) {
		t.Fatalf("got %+v, %v", out, err)
	}
	if len(rec.Calls()) != 0 {
		t.Fatalf("password reset wrote a profile: %v", rec.Calls())
	}
}

func TestNoSub(t *testing.T) {
	h := New(srv.DynamoDB(nil), schema.Profiles.Name)
	if _, err := h.Handle(context.Background(), event(ConfirmSignUp, map[string]string{"email": "a@example.com"})); err == nil {
		t.Fatal("a profile without an owner was accepted")
	}
}

func TestStoreFailure(t *testing.T) {
	// A missing table is an error Cognito must see, not a silent success.
	h := New(srv.DynamoDB(nil), "no-such-table")
	if _, err := h.Handle(context.Background(), event(ConfirmSignUp, map[string]string{"sub": httpapitest.NewOwner()})); err == nil {
		t.Fatal("write to a missing table reported success")
	}
}
