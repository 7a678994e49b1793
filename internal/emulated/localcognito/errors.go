package localcognito

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/portcullis-cdk/portcullis/internal/protocol/awsjson"
)

// opError is a failed operation in the shape of a Cognito error.
type opError = awsjson.Error

// Error types of the Cognito Identity Provider API used by this pool.
const (
	errAliasExists           = "AliasExistsException"
	errCodeMismatch          = "CodeMismatchException"
	errExpiredCode           = "ExpiredCodeException"
	errInvalidParameter      = "InvalidParameterException"
	errInvalidPassword       = "InvalidPasswordException"
	errMissingAuthToken      = "MissingAuthenticationTokenException"
	errNotAuthorized         = "NotAuthorizedException"
	errResourceNotFound      = "ResourceNotFoundException"
	errUnauthorized          = "UnauthorizedException"
	errUnexpectedLambda      = "UnexpectedLambdaException"
	errUnsupportedTokenType  = "UnsupportedTokenTypeException"
	errUnsupportedUserState  = "UnsupportedUserStateException"
	errUserLambdaValidation  = "UserLambdaValidationException"
	errUserNotConfirmed      = "UserNotConfirmedException"
	errUserNotFound          = "UserNotFoundException"
	errUsernameExists        = "UsernameExistsException"
	errInvalidLambdaResponse = "InvalidLambdaResponseException"
	errLimitExceeded         = "LimitExceededException"
	errPasswordResetRequired = "PasswordResetRequiredException"
	errTooManyFailedAttempts = "TooManyFailedAttemptsException"
	errEnableSoftwareToken   = "EnableSoftwareTokenMFAException"
	errSoftwareTokenNotFound = "SoftwareTokenMFANotFoundException"
	errInvalidPoolConfig     = "InvalidUserPoolConfigurationException"
	errGroupExists           = "GroupExistsException"
)

func apiError(typ, format string, args ...any) *opError {
	return &opError{Type: typ, Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

// incorrectCredentials is the one answer to a wrong password and an unknown
// user alike, so sign-in cannot be used to find out who has an account.
func incorrectCredentials() *opError {
	return apiError(errNotAuthorized, "Incorrect username or password.")
}

func userNotFound() *opError { return apiError(errUserNotFound, "User does not exist.") }

func invalidParameter(format string, args ...any) *opError {
	return apiError(errInvalidParameter, format, args...)
}

// validation collects the "Member must not be null" style failures that
// AWS reports for missing or malformed request members, in one message:
// "2 validation errors detected: Value null at 'username' failed to satisfy
// constraint: Member must not be null; ...".
type validation []string

func (v *validation) required(member, value string) {
	if value == "" {
		*v = append(*v, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", member))
	}
}

func (v *validation) check(ok bool, member, constraint string) {
	if !ok {
		*v = append(*v, fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", member, constraint))
	}
}

func (v validation) err() error {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return invalidParameter("1 validation error detected: %s", v[0])
	default:
		return invalidParameter("%d validation errors detected: %s", len(v), strings.Join(v, "; "))
	}
}
