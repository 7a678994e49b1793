// Package weburl reads the URLs a stage's web front end is configured with:
// their origins, and whether they still point at a placeholder host. The
// checks Cognito, API Gateway and S3 apply to them are the constructs' own.
package weburl

import (
	"fmt"
	"net/url"
	"strings"
)

// Origin returns the origin (scheme://host[:port]) of an absolute URL.
func Origin(u string) (string, error) {
	parsed, err := url.Parse(u)
	if err != nil || parsed.Host == "" {
		return "", fmt.Errorf("URL %q has no origin", u)
	}
	return parsed.Scheme + "://" + parsed.Host, nil
}

// IsPlaceholderHost reports whether host is a name reserved for
// documentation and examples (RFC 2606): example.com, example.net,
// example.org and anything under them or under .example, .test or
// .invalid. No one can deploy a real front end there.
func IsPlaceholderHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, reserved := range []string{"example.com", "example.net", "example.org", "example", "test", "invalid"} {
		if host == reserved || strings.HasSuffix(host, "."+reserved) {
			return true
		}
	}
	return false
}

// IsPlaceholder reports whether the URL u points at a placeholder host
// (IsPlaceholderHost).
func IsPlaceholder(u string) bool {
	parsed, err := url.Parse(u)
	return err == nil && IsPlaceholderHost(parsed.Hostname())
}
