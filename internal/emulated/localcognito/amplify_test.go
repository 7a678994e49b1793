package localcognito

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/util/modroot"
)

// TestAmplifyUserAuth runs Amplify JS v6, the client contract of a web app,
// against the pool (testdata/amplify/userauth.mjs): signIn with USER_AUTH
// and an emailed code, then associateWebAuthnCredential,
// listWebAuthnCredentials, a passkey signIn (preferred, and chosen with
// confirmSignIn) and deleteWebAuthnCredential, with a software
// authenticator in place of the browser's. It needs the repository's
// node_modules (make deps) and is skipped without them.
func TestAmplifyUserAuth(t *testing.T) {
	root, err := modroot.Dir()
	if err != nil {
		t.Fatal(err)
	}
	node := filepath.Join(root, "node_modules", ".bin", "node")
	if _, err := os.Stat(filepath.Join(root, "node_modules", "aws-amplify")); err != nil {
		t.Skip("aws-amplify is not installed (make deps)")
	}
	if _, err := os.Stat(node); err != nil {
		t.Skip("node is not installed (make deps)")
	}
	f := newPasswordlessFixture(t, nil)
	mux := http.NewServeMux()
	mux.Handle("/", f.srv)
	mux.HandleFunc("GET /_dev/code", func(w http.ResponseWriter, r *http.Request) {
		code, _ := f.srv.Code(r.URL.Query().Get("username"))
		_, _ = w.Write([]byte(code))
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	f.confirmedUser("amy", "amy@example.com")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "testdata/amplify/userauth.mjs", ts.URL, testPoolID, publicID, "amy")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node userauth.mjs: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	var out struct {
		Steps []struct {
			Name  string
			Value any
		}
		CredentialID string
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("output %s: %v", stdout.String(), err)
	}
	want := map[string]string{
		"signIn EMAIL_OTP":               `"CONFIRM_SIGN_IN_WITH_EMAIL_CODE"`,
		"confirmSignIn code":             `"DONE"`,
		"access token":                   `"present"`,
		"listWebAuthnCredentials":        `["` + out.CredentialID + `"]`,
		"signIn WEB_AUTHN":               `"DONE"`,
		"signIn choice":                  `["CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",["PASSWORD","PASSWORD_SRP","EMAIL_OTP","WEB_AUTHN"]]`,
		"confirmSignIn WEB_AUTHN":        `"DONE"`,
		"after deleteWebAuthnCredential": `0`,
	}
	var names []string
	for _, s := range out.Steps {
		names = append(names, s.Name)
		got, _ := json.Marshal(s.Value)
		if string(got) != want[s.Name] {
			t.Errorf("%s: %s, want %s", s.Name, got, want[s.Name])
		}
	}
	if len(names) != len(want) || slices.ContainsFunc(names, func(n string) bool { _, ok := want[n]; return !ok }) {
		t.Errorf("steps %v, want each of %v", names, want)
	}
}
