package localcognito

import "github.com/portcullis-cdk/portcullis/internal/protocol/awsjson"

// userOperations are the operations app clients and signed-in users call,
// by X-Amz-Target name, grouped as their files are.
func (s *Server) userOperations() map[string]awsjson.Handler {
	return map[string]awsjson.Handler{
		// signup.go
		"SignUp":                 awsjson.Op(s.signUp),
		"ConfirmSignUp":          awsjson.Op(s.confirmSignUp),
		"ResendConfirmationCode": awsjson.Op(s.resendConfirmationCode),
		// auth.go, srpauth.go, mfa.go
		"InitiateAuth":           awsjson.Op(s.initiateAuth),
		"RespondToAuthChallenge": awsjson.Op(s.respondToAuthChallenge),
		"AssociateSoftwareToken": awsjson.Op(s.associateSoftwareToken),
		"VerifySoftwareToken":    awsjson.Op(s.verifySoftwareToken),
		"SetUserMFAPreference":   awsjson.Op(s.setUserMFAPreference),
		// self.go
		"GetUser":       awsjson.Op(s.getUser),
		"DeleteUser":    awsjson.Op(s.deleteUser),
		"GlobalSignOut": awsjson.Op(s.globalSignOut),
		"RevokeToken":   awsjson.Op(s.revokeToken),
		// attributes.go, account.go
		"UpdateUserAttributes":             awsjson.Op(s.updateUserAttributes),
		"ForgotPassword":                   awsjson.Op(s.forgotPassword),
		"ConfirmForgotPassword":            awsjson.Op(s.confirmForgotPassword),
		"ChangePassword":                   awsjson.Op(s.changePassword),
		"GetUserAttributeVerificationCode": awsjson.Op(s.getUserAttributeVerificationCode),
		"VerifyUserAttribute":              awsjson.Op(s.verifyUserAttribute),
		"DeleteUserAttributes":             awsjson.Op(s.deleteUserAttributes),
	}
}

// adminOperations are the operations that need IAM credentials.
func (s *Server) adminOperations() map[string]awsjson.Handler {
	return map[string]awsjson.Handler{
		// admin.go, signup.go, attributes.go, mfa.go
		"AdminConfirmSignUp":        awsjson.Op(s.adminConfirmSignUp),
		"AdminCreateUser":           awsjson.Op(s.adminCreateUser),
		"AdminSetUserPassword":      awsjson.Op(s.adminSetUserPassword),
		"AdminGetUser":              awsjson.Op(s.adminGetUser),
		"AdminUpdateUserAttributes": awsjson.Op(s.adminUpdateUserAttributes),
		"AdminDeleteUser":           awsjson.Op(s.adminDeleteUser),
		"AdminSetUserMFAPreference": awsjson.Op(s.adminSetUserMFAPreference),
		// account.go
		"AdminResetUserPassword": awsjson.Op(s.adminResetUserPassword),
		"AdminUserGlobalSignOut": awsjson.Op(s.adminUserGlobalSignOut),
		"AdminDisableUser":       awsjson.Op(s.adminDisableUser),
		"AdminEnableUser":        awsjson.Op(s.adminEnableUser),
		// groups.go
		"CreateGroup":              awsjson.Op(s.createGroup),
		"GetGroup":                 awsjson.Op(s.getGroup),
		"ListGroups":               awsjson.Op(s.listGroups),
		"DeleteGroup":              awsjson.Op(s.deleteGroup),
		"AdminAddUserToGroup":      awsjson.Op(s.adminAddUserToGroup),
		"AdminRemoveUserFromGroup": awsjson.Op(s.adminRemoveUserFromGroup),
		"AdminListGroupsForUser":   awsjson.Op(s.adminListGroupsForUser),
		"ListUsersInGroup":         awsjson.Op(s.listUsersInGroup),
		// listusers.go, clientadmin.go
		"ListUsers":            awsjson.Op(s.listUsers),
		"CreateUserPoolClient": awsjson.Op(s.createUserPoolClient),
		"DeleteUserPoolClient": awsjson.Op(s.deleteUserPoolClient),
	}
}
