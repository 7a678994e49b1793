package cfn

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseValue(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want Value
	}{
		{`"x"`, String("x")},
		{`12`, Number("12")},
		{`true`, Bool(true)},
		{`null`, Null{}},
		{`{"Ref":"Pool"}`, Ref{Name: "Pool"}},
		{`{"Fn::GetAtt":["Fn","Arn"]}`, GetAtt{Resource: "Fn", Attribute: "Arn"}},
		{`{"Fn::GetAtt":"Fn.Arn"}`, GetAtt{Resource: "Fn", Attribute: "Arn"}},
		{`{"Fn::Join":["-",["a",{"Ref":"B"}]]}`, Join{Sep: "-", Parts: []Value{String("a"), Ref{Name: "B"}}}},
		{`{"Fn::Sub":"arn:${AWS::Partition}:x"}`, Sub{Format: "arn:${AWS::Partition}:x"}},
		{`{"Fn::Sub":["${A}",{"A":{"Ref":"B"}}]}`, Sub{Format: "${A}", Vars: map[string]Value{"A": Ref{Name: "B"}}}},
		{`{"Fn::Select":[1,["a","b"]]}`, Select{Index: Number("1"), List: List{String("a"), String("b")}}},
		{`{"Fn::If":["Prod","a",{"Ref":"AWS::NoValue"}]}`, If{Condition: "Prod", Then: String("a"), Else: Ref{Name: "AWS::NoValue"}}},
		{`{"Fn::ImportValue":"Shared"}`, ImportValue{Name: String("Shared")}},
		{`{"Fn::Split":[",","a,b"]}`, Call{Name: "Fn::Split", Arg: List{String(","), String("a,b")}}},
		{`{"Effect":"Allow","Resource":{"Ref":"T"}}`, Object{"Effect": String("Allow"), "Resource": Ref{Name: "T"}}},
		{`{"StringEquals":{"k":"v"}}`, Object{"StringEquals": Object{"k": String("v")}}},
	} {
		got, err := ParseValue([]byte(tc.raw))
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseValue(%s) = %#v, %v; want %#v", tc.raw, got, err, tc.want)
		}
	}
	for _, raw := range []string{`{"Ref":1}`, `{"Fn::GetAtt":["Fn"]}`, `{"Fn::Join":["",{"Ref":"L"}]}`, `{"Fn::Sub":[1]}`, `{"Fn::If":["c","a"]}`, `{"Fn::Select":[0]}`, `{`} {
		if v, err := ParseValue([]byte(raw)); err == nil {
			t.Errorf("ParseValue(%s) = %#v, want an error", raw, v)
		}
	}
}

func TestResolve(t *testing.T) {
	n := Names{
		Refs:       map[string]string{"AWS::Region": "us-east-1", "T": "todos", "T.Arn": "arn:aws:dynamodb:us-east-1:1:table/todos"},
		Exports:    map[string]string{"Shared": "s-1"},
		Conditions: map[string]bool{"Prod": false},
	}
	for _, tc := range []struct{ raw, want string }{
		{`{"Fn::Join":["",["arn:",{"Ref":"AWS::Region"},":",{"Ref":"T"}]]}`, `"arn:us-east-1:todos"`},
		{`{"Fn::GetAtt":["T","Arn"]}`, `"arn:aws:dynamodb:us-east-1:1:table/todos"`},
		{`{"Fn::Sub":"${T.Arn}/index/*"}`, `"arn:aws:dynamodb:us-east-1:1:table/todos/index/*"`},
		{`{"Fn::Sub":"private/${cognito-identity.amazonaws.com:sub}/${!Literal}"}`, `"private/${cognito-identity.amazonaws.com:sub}/${Literal}"`},
		{`{"Fn::Sub":["${X}-${AWS::Region}",{"X":{"Ref":"T"}}]}`, `"todos-us-east-1"`},
		{`{"Fn::Select":[1,["a",{"Ref":"T"}]]}`, `"todos"`},
		{`{"Fn::If":["Prod","p","d"]}`, `"d"`},
		{`{"Fn::ImportValue":"Shared"}`, `"s-1"`},
		{`{"Statement":[{"Resource":[{"Ref":"T"}],"Max":3}]}`, `{"Statement":[{"Max":3,"Resource":["todos"]}]}`},
	} {
		v, err := ParseValue([]byte(tc.raw))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Resolve(v, n)
		b, _ := json.Marshal(got)
		if err != nil || string(b) != tc.want {
			t.Errorf("Resolve(%s) = %s, %v; want %s", tc.raw, b, err, tc.want)
		}
	}
	for _, raw := range []string{`{"Ref":"Other"}`, `{"Fn::GetAtt":["T","StreamArn"]}`, `{"Fn::Sub":"${Other}"}`, `{"Fn::If":["Dev","a","b"]}`, `{"Fn::ImportValue":"Gone"}`} {
		v, _ := ParseValue([]byte(raw))
		if got, err := Resolve(v, n); !errors.Is(err, ErrNoValue) {
			t.Errorf("Resolve(%s) = %v, %v; want ErrNoValue", raw, got, err)
		}
	}
	v, _ := ParseValue([]byte(`{"Fn::Split":[",","a"]}`))
	if _, err := Resolve(v, n); err == nil || !strings.Contains(err.Error(), "Fn::Split") {
		t.Errorf("Fn::Split resolved: %v", err)
	}
}

func TestRender(t *testing.T) {
	spell := func(v Value) string {
		switch v := v.(type) {
		case Ref:
			return "{" + v.Name + "}"
		case GetAtt:
			return "{" + v.Resource + "." + v.Attribute + "}"
		}
		return "{" + v.Func() + "}"
	}
	for _, tc := range []struct{ raw, want string }{
		{`"plain"`, "plain"},
		{`{"Fn::Join":["",["https://",{"Ref":"D"},".auth.",{"Ref":"AWS::Region"},".amazoncognito.com"]]}`, "https://{D}.auth.{AWS::Region}.amazoncognito.com"},
		{`{"Fn::Sub":"https://${B.RegionalDomainName}/${AWS::URLSuffix}"}`, "https://{B.RegionalDomainName}/{AWS::URLSuffix}"},
		{`{"Fn::Join":[",",["a",{"Fn::Select":[0,["x"]]}]]}`, "a,{Fn::Select}"},
	} {
		v, err := ParseValue([]byte(tc.raw))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := Render(v, spell); err != nil || got != tc.want {
			t.Errorf("Render(%s) = %q, %v; want %q", tc.raw, got, err, tc.want)
		}
	}
	for _, raw := range []string{`42`, `["a"]`, `{"a":"b"}`} {
		v, _ := ParseValue([]byte(raw))
		if got, err := Render(v, spell); err == nil {
			t.Errorf("Render(%s) = %q, want an error", raw, got)
		}
	}
}

const template = `{"Resources":{
 "Fn":{"Type":"AWS::Lambda::Function","Metadata":{"aws:cdk:path":"stack/Api/Fn/Resource"},
  "Properties":{"MemorySize":256,"Environment":{"Variables":{"T":{"Ref":"T"}}},"Tags":[{"Key":"a","Value":"b"}],
   "LoggingConfig":{"LogFormat":"JSON","LogGroup":{"Ref":"G"}},"Layers":[]}},
 "T":{"Type":"AWS::DynamoDB::Table","Properties":{"KeySchema":[{"AttributeName":"owner","KeyType":"HASH"}]}},
 "U":{"Type":"AWS::DynamoDB::Table"}}}`

// TestDecodeRecordsReads: Decode records the paths its struct takes, to
// the depth it takes them, and Properties lists every leaf.
func TestDecodeRecordsReads(t *testing.T) {
	tpl, err := Parse([]byte(template))
	if err != nil {
		t.Fatal(err)
	}
	fn, err := tpl.One("AWS::Lambda::Function")
	if err != nil || fn.ID() != "Fn" || fn.Path() != "Api/Fn/Resource" {
		t.Fatalf("One: %+v %v", fn, err)
	}
	var fp struct {
		MemorySize    int
		Environment   struct{ Variables map[string]Expr }
		LoggingConfig struct{ LogGroup Expr }
		Unset         string
	}
	if err := fn.Decode(&fp); err != nil {
		t.Fatal(err)
	}
	if fp.MemorySize != 256 || fp.Environment.Variables["T"].Value != (Ref{Name: "T"}) || fp.LoggingConfig.LogGroup.Value != (Ref{Name: "G"}) {
		t.Errorf("decoded %+v", fp)
	}
	reads := tpl.Reads()
	if got, want := reads.Paths("AWS::Lambda::Function"), []string{"Environment.Variables", "LoggingConfig.LogGroup", "MemorySize"}; !slices.Equal(got, want) {
		t.Errorf("reads %q, want %q", got, want)
	}
	props := tpl.Properties()
	if got, want := props["AWS::Lambda::Function"], []string{"Environment.Variables.T", "Layers", "LoggingConfig.LogFormat", "LoggingConfig.LogGroup", "MemorySize", "Tags[].Key", "Tags[].Value"}; !slices.Equal(got, want) {
		t.Errorf("properties %q, want %q", got, want)
	}
	if _, ok := props["AWS::DynamoDB::Table"]; !ok {
		t.Error("a type whose resources are not read is not listed")
	}
	for path, want := range map[string]bool{"Environment.Variables.T": true, "LoggingConfig.LogFormat": false, "MemorySize": true, "Tags[].Key": false} {
		if got := reads.Covers("AWS::Lambda::Function", path); got != want {
			t.Errorf("covers %s: %v, want %v", path, got, want)
		}
	}
	for _, tc := range []struct {
		cover, path string
		want        bool
	}{{"", "A.B", true}, {"Tags", "Tags[].Key", true}, {"Tag", "Tags", false}, {"A.B", "A.B.C", true}, {"A.B", "A.BC", false}} {
		if got := Covers(tc.cover, tc.path); got != tc.want {
			t.Errorf("Covers(%q, %q) = %v", tc.cover, tc.path, got)
		}
	}
	if _, err := tpl.One("AWS::DynamoDB::Table"); err == nil {
		t.Error("One of two tables")
	}
	if ids := tpl.IDs("AWS::DynamoDB::Table"); !slices.Equal(ids, []string{"T", "U"}) {
		t.Errorf("IDs %v", ids)
	}
	if _, err := tpl.Get("T", "AWS::Lambda::Function"); err == nil {
		t.Error("Get of a table as a function")
	}
	var literal Template // a test's template, not made by Parse, records nothing
	if literal.Reads().Covers("AWS::Lambda::Function", "MemorySize") || literal.Reads().Paths("AWS::Lambda::Function") != nil {
		t.Error("a template not made by Parse has reads")
	}
}
