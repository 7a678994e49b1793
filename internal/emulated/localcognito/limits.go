package localcognito

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portcullis-cdk/portcullis/internal/protocol/awsjson"
)

// Cognito's limits on repeated failures. It documents five failed sign-in
// attempts before a temporary lockout that starts at one second and
// doubles with each further failure, to about fifteen minutes.
const (
	maxFailures    = 5
	maxLockout     = 15 * time.Minute
	maxCodeRetries = maxFailures
)

// throttle counts wrong passwords for one user and one purpose (sign-in,
// ChangePassword).
type throttle struct {
	failures int
	until    time.Time
}

func (t *throttle) blocked(now time.Time) bool { return now.Before(t.until) }

func (t *throttle) fail(now time.Time) {
	t.failures++
	if t.failures < maxFailures {
		return
	}
	lock := time.Second << min(t.failures-maxFailures, 10) // 2^10 s > 15 min
	t.until = now.Add(min(lock, maxLockout))
}

func (t *throttle) succeed() { *t = throttle{} }

// failureCounts are a user's throttles.
type failureCounts struct {
	signIn, changePassword throttle
}

func attemptLimitExceeded() error {
	return apiError(errLimitExceeded, "Attempt limit exceeded, please try after some time.")
}

func passwordAttemptsExceeded() error {
	return apiError(errNotAuthorized, "Password attempts exceeded")
}

// checkCode checks a code the user entered against pc and counts a wrong
// one: after maxCodeRetries the code is spent, and until a new one is
// sent every attempt is refused, so a six-digit code cannot be guessed.
// spentErr is the operation's answer to a spent code. The caller holds
// s.mu.
func (s *Server) checkCode(pc *pendingCode, given string, spentErr func() error) error {
	switch {
	case pc.spent:
		return spentErr()
	case pc.value == "" || !s.now().Before(pc.expires):
		return expiredCode()
	case subtle.ConstantTimeCompare([]byte(pc.value), []byte(given)) != 1:
		pc.failures++
		if pc.failures >= maxCodeRetries {
			*pc = pendingCode{spent: true}
		}
		return codeMismatch()
	}
	return nil
}

func tooManyFailedAttempts() error {
	return apiError(errTooManyFailedAttempts, "Too many failed attempts.")
}

func codeMismatch() error {
	return apiError(errCodeMismatch, "Invalid verification code provided, please try again.")
}

// memberLimit is the API's constraint on a string member of a request,
// as the Cognito API reference gives it (Length Constraints, Pattern).
type memberLimit struct {
	min, max int // characters; max 0 is no limit
	pattern  string
	re       *regexp.Regexp
}

func limit(min, max int, pattern string) memberLimit {
	l := memberLimit{min: min, max: max, pattern: pattern}
	if pattern != "" {
		l.re = regexp.MustCompile(`^(?:` + pattern + `)$`)
	}
	return l
}

// memberLimits are the constraints of the members the pool's operations
// share, by JSON name: the same in every operation that has them.
// Passwords are checked by checkPasswordShape, attributes by
// checkAttributes.
var memberLimits = map[string]memberLimit{
	"Username":           limit(1, 128, `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`),
	"ClientId":           limit(1, 128, `[\w+]+`),
	"SecretHash":         limit(1, 128, `[\w+=/]+`),
	"ConfirmationCode":   limit(1, 2048, `[\S]+`),
	"Code":               limit(1, 2048, `[\S]+`),
	"Session":            limit(20, 2048, ""),
	"AccessToken":        limit(0, 0, `[A-Za-z0-9-_=.]+`),
	"AttributeName":      limit(1, 32, `[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r ]+`),
	"UserPoolId":         limit(1, 55, `[\w-]+_[0-9a-zA-Z]+`),
	"FriendlyDeviceName": limit(0, 131072, ""),
	"GroupName":          limit(1, 128, `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`),
	"Description":        limit(0, 2048, ""),
	"RoleArn":            limit(20, 2048, `arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?`),
}

// checkMembers applies memberLimits to the string members of a request
// body, collecting every failure in one InvalidParameterException as AWS
// does. A body that is not a JSON object is left to the operation.
func checkMembers(body []byte) error {
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		return nil
	}
	var v validation
	for _, name := range slices.Sorted(maps.Keys(members)) {
		l, ok := memberLimits[name]
		if !ok {
			continue
		}
		var value string
		if json.Unmarshal(members[name], &value) != nil || value == "" {
			continue // a wrong type is the operation's to refuse; empty is "required"
		}
		member := strings.ToLower(name[:1]) + name[1:]
		n := utf8.RuneCountInString(value)
		switch {
		case n < l.min:
			v.check(false, member, fmt.Sprintf("Member must have length greater than or equal to %d", l.min))
		case l.max > 0 && n > l.max:
			v.check(false, member, fmt.Sprintf("Member must have length less than or equal to %d", l.max))
		case l.re != nil && !l.re.MatchString(value):
			v.check(false, member, "Member must satisfy regular expression pattern: "+l.pattern)
		}
	}
	return v.err()
}

// checked runs checkMembers before an operation.
func checked(serve awsjson.Handler) awsjson.Handler {
	return func(r *http.Request, body []byte) (any, error) {
		if len(bytes.TrimSpace(body)) > 0 {
			if err := checkMembers(body); err != nil {
				return nil, err
			}
		}
		return serve(r, body)
	}
}
