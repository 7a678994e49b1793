package localcognito

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// Trigger sources, as events carry them in triggerSource.
const (
	sourcePreSignUp                 = "PreSignUp_SignUp"
	sourcePreSignUpAdminCreateUser  = "PreSignUp_AdminCreateUser"
	sourcePostConfirmation          = "PostConfirmation_ConfirmSignUp"
	sourcePostConfirmationForgot    = "PostConfirmation_ConfirmForgotPassword"
	sourceCustomMessageForgot       = "CustomMessage_ForgotPassword"
	sourceCustomMessageVerify       = "CustomMessage_VerifyUserAttribute"
	sourceCustomMessageSignUp       = "CustomMessage_SignUp"
	sourceCustomMessageResendCode   = "CustomMessage_ResendCode"
	sourceCustomMessageAdminCreate  = "CustomMessage_AdminCreateUser"
	sourceTokenAuthentication       = "TokenGeneration_Authentication"
	sourceTokenNewPasswordChallenge = "TokenGeneration_NewPasswordChallenge"
	sourceTokenRefreshTokens        = "TokenGeneration_RefreshTokens"
)

// Trigger names, as Cognito's error messages name them.
const (
	triggerNameCustomMessage      = "CustomMessage"
	triggerNamePostConfirmation   = "PostConfirmation"
	triggerNamePreSignUp          = "PreSignUp"
	triggerNamePreTokenGeneration = "PreTokenGeneration"
)

const (
	// clientIDNotApplicable is the callerContext.clientId of events that
	// admin operations cause.
	clientIDNotApplicable = "CLIENT_ID_NOT_APPLICABLE"
	sdkVersionUnknown     = "aws-sdk-unknown-unknown"
	// Event versions: "2" is the V2_0 pre token generation event, "1"
	// every other event.
	eventVersion1 = "1"
	eventVersion2 = "2"
)

// header is the part every user pool event shares.
func (p *pool) header(version, source, clientID, username string) events.CognitoEventUserPoolsHeader {
	return events.CognitoEventUserPoolsHeader{
		Version:       version,
		TriggerSource: source,
		Region:        p.region,
		UserPoolID:    p.id,
		CallerContext: events.CognitoEventUserPoolsCallerContext{AWSSDKVersion: sdkVersionUnknown, ClientID: clientID},
		UserName:      username,
	}
}

// errLambdaTimeout is the cause of a trigger that ran out of time.
var errLambdaTimeout = errors.New("trigger timed out")

// invoke calls a trigger the way Cognito calls a Lambda function. The
// event goes through JSON both ways, so the trigger sees exactly what a
// Lambda function would (no shared maps, only JSON types in the response).
// The trigger has the pool's trigger timeout; a trigger error or panic is a
// UserLambdaValidationException "<name> failed with error <message>.", as
// Cognito reports a function error.
func invoke[E any](ctx context.Context, p *pool, name string, fn func(context.Context, E) (E, error), ev E) (E, error) {
	var zero E
	in, err := roundTrip(ev)
	if err != nil {
		return zero, fmt.Errorf("encode %s event: %w", name, err)
	}
	ctx, cancel := context.WithTimeout(ctx, p.triggerTimeout)
	defer cancel()
	type result struct {
		ev  E
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: fmt.Errorf("%v", r)}
			}
		}()
		out, err := fn(ctx, in)
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return zero, &opError{
				Type:    errUserLambdaValidation,
				Message: fmt.Sprintf("%s failed with error %s.", name, r.err.Error()),
				Status:  http.StatusBadRequest,
			}
		}
		out, err := roundTrip(r.ev)
		if err != nil {
			return zero, &opError{Type: errInvalidLambdaResponse, Message: "Invalid lambda response received", Status: http.StatusBadRequest, Err: err}
		}
		return out, nil
	case <-ctx.Done():
		return zero, &opError{
			Type:    errUnexpectedLambda,
			Message: name + " invocation failed due to error TimeoutError.",
			Status:  http.StatusBadRequest,
			Err:     errLambdaTimeout,
		}
	}
}

func roundTrip[E any](ev E) (E, error) {
	var out E
	b, err := json.Marshal(ev)
	if err != nil {
		return out, err
	}
	err = json.Unmarshal(b, &out)
	return out, err
}

// preSignUp runs the pre sign-up trigger, if any, and returns its response.
func (s *Server) preSignUp(ctx context.Context, source, clientID string, u *user, validationData []attribute, metadata map[string]string) (events.CognitoEventUserPoolsPreSignupResponse, error) {
	if s.triggers.PreSignUp == nil {
		return events.CognitoEventUserPoolsPreSignupResponse{}, nil
	}
	attrs := make(map[string]string, len(u.attrs))
	for k, v := range u.attrs {
		if k != attrSub {
			attrs[k] = v
		}
	}
	vd := make(map[string]string, len(validationData))
	for _, a := range validationData {
		vd[a.Name] = a.Value
	}
	ev := events.CognitoEventUserPoolsPreSignup{
		CognitoEventUserPoolsHeader: s.header(eventVersion1, source, clientID, u.username),
		Request: events.CognitoEventUserPoolsPreSignupRequest{
			UserAttributes: attrs,
			ValidationData: vd,
			ClientMetadata: metadata,
		},
	}
	out, err := invoke(ctx, s.pool, triggerNamePreSignUp, s.triggers.PreSignUp, ev)
	return out.Response, err
}

// postConfirmation runs the post confirmation trigger, if any. snap is a
// copy of the confirmed user, taken under the lock.
func (s *Server) postConfirmation(ctx context.Context, clientID string, snap *user, metadata map[string]string) error {
	return s.postConfirmationFrom(ctx, sourcePostConfirmation, clientID, snap, metadata)
}

func (s *Server) postConfirmationFrom(ctx context.Context, source, clientID string, snap *user, metadata map[string]string) error {
	if s.triggers.PostConfirmation == nil {
		return nil
	}
	ev := events.CognitoEventUserPoolsPostConfirmation{
		CognitoEventUserPoolsHeader: s.header(eventVersion1, source, clientID, snap.username),
		Request: events.CognitoEventUserPoolsPostConfirmationRequest{
			UserAttributes: snap.eventAttributes(),
			ClientMetadata: metadata,
		},
	}
	_, err := invoke(ctx, s.pool, triggerNamePostConfirmation, s.triggers.PostConfirmation, ev)
	return err
}
