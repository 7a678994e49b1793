// Package weburl checks the redirect URLs and web origins the constructs
// are configured with, by the rules Cognito, API Gateway and S3 apply to
// them.
package weburl

import (
	"fmt"
	"net/url"
)

// ValidateRedirect reports whether Cognito accepts u as a callback or
// sign-out URL: absolute, no fragment, https unless the host is localhost.
func ValidateRedirect(u string) error {
	parsed, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("redirect URL %q: %w", u, err)
	}
	switch {
	case parsed.Host == "" || !parsed.IsAbs():
		return fmt.Errorf("redirect URL %q: want an absolute URL", u)
	case parsed.Fragment != "" || parsed.RawFragment != "":
		return fmt.Errorf("redirect URL %q: must not contain a fragment", u)
	case parsed.Scheme == "https":
		return nil
	case parsed.Scheme == "http" && IsLocalhost(u):
		return nil
	}
	return fmt.Errorf("redirect URL %q: want https (http is allowed for localhost only)", u)
}

// ValidateOrigin reports whether o is a web origin a browser sends in its
// Origin header: scheme and host (and port), https unless on localhost.
func ValidateOrigin(o string) error {
	parsed, err := url.Parse(o)
	if err != nil {
		return fmt.Errorf("origin %q: %w", o, err)
	}
	switch {
	case parsed.Host == "" || !parsed.IsAbs():
		return fmt.Errorf("origin %q: want scheme://host[:port]", o)
	case parsed.Path != "" || parsed.RawQuery != "" || parsed.Fragment != "" || parsed.User != nil:
		return fmt.Errorf("origin %q: an origin has no path, query, fragment or user", o)
	case parsed.Scheme == "https", parsed.Scheme == "http" && IsLocalhost(o):
		return nil
	}
	return fmt.Errorf("origin %q: want https (http is allowed for localhost only)", o)
}

// IsLocalhost reports whether u points at the local machine.
func IsLocalhost(u string) bool {
	parsed, err := url.Parse(u)
	if err != nil {
		return false
	}
	switch parsed.Hostname() {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}
