package localcognito

import (
	"crypto/subtle"
	"time"
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
