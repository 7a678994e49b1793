// Sign-in, token refresh and sign-out for both ways in:
//
// - the hosted UI (the stage's Cognito domain) with the authorization code
//   grant and PKCE, through oidc-client-ts;
// - the custom UI: SRP sign-in and the account operations of the Cognito
//   user pool API (sign-up, confirmation, password reset, TOTP), through
//   amazon-cognito-identity-js, and the calls it does not make through
//   cognito.js: choice-based sign-in (USER_AUTH) with a code sent by email
//   or SMS or with a passkey, passkey registration, token refresh with
//   rotation.
//
// The SPA client rotates refresh tokens: every refresh returns a new one
// and the old one soon stops working, so each refresh keeps the token it
// got and only one refresh runs at a time (a second one with the same
// token would be reuse once the grace period is over). Cognito refuses
// REFRESH_TOKEN_AUTH on such a client; the custom UI refreshes with
// GetTokensFromRefreshToken, the hosted UI with the token endpoint's
// refresh_token grant, which rotates too.
//
// Each way in keeps its session in sessionStorage: the tab's storage,
// gone when the tab closes, never shared with other tabs and never sent to
// a server. A page reload keeps the user signed in without a refresh token
// surviving the browser session, which localStorage would keep. Script
// that runs in the page could read it, as it could read tokens held in
// memory; what keeps such script out is the CSP (no inline script, no
// third-party origin). Which way in holds the current session is
// recorded under KIND. No token is ever put in a URL or logged.
import { UserManager, WebStorageStateStore } from "oidc-client-ts";
import {
  AuthenticationDetails,
  CognitoAccessToken,
  CognitoIdToken,
  CognitoRefreshToken,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
  CognitoUserSession,
} from "amazon-cognito-identity-js";
import { claims, createPasskey, getPasskey, idp } from "./cognito.js";

const KIND = "portcullis.signin";
const HOSTED = "hosted";
const CUSTOM = "custom";
// The custom UI's tokens: {access, id, refresh}.
const TOKENS = "portcullis.tokens";
// Refresh this many seconds before the access token expires, so a request
// never leaves with a token that expires on the way.
const MARGIN = 60;
// What to tell a user Cognito would not let take a challenge.
const unavailable = {
  EMAIL_OTP: "No code can be emailed for this account: sign in with your password.",
  SMS_OTP: "No code can be texted for this account: sign in with your password.",
  WEB_AUTHN: "This account has no passkey to sign in with: sign in another way, then add one on your profile.",
};

// memoryStorage is a Storage for SDK objects that must not persist
// anything: the SDK's sign-in steps (their tokens go to TOKENS) and the
// account calls made with the current session.
function memoryStorage() {
  const m = new Map();
  return {
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => m.set(k, String(v)),
    removeItem: (k) => m.delete(k),
    clear: () => m.clear(),
  };
}

// call turns a node-style SDK call into a promise.
function call(fn) {
  return new Promise((resolve, reject) => fn((err, out) => (err ? reject(err) : resolve(out))));
}

export class Auth {
  constructor(cfg) {
    this.cfg = cfg;
    const origin = window.location.origin;
    this.redirectUri = origin + cfg.callbackPath;
    this.logoutUri = origin + cfg.logoutPath;
    const store = new WebStorageStateStore({ store: window.sessionStorage });
    this.hosted = new UserManager({
      authority: cfg.issuer,
      // The endpoints are the Cognito domain's, known from the config: no
      // discovery request before the first redirect.
      metadata: {
        issuer: cfg.issuer,
        authorization_endpoint: `${cfg.cognitoDomain}/oauth2/authorize`,
        token_endpoint: `${cfg.cognitoDomain}/oauth2/token`,
        revocation_endpoint: `${cfg.cognitoDomain}/oauth2/revoke`,
        userinfo_endpoint: `${cfg.cognitoDomain}/oauth2/userInfo`,
        jwks_uri: `${cfg.issuer}/.well-known/jwks.json`,
      },
      client_id: cfg.clientId,
      redirect_uri: this.redirectUri,
      post_logout_redirect_uri: this.logoutUri,
      response_type: "code",
      scope: cfg.scopes.join(" "),
      userStore: store,
      // The PKCE verifier and state must survive the round trip through
      // the hosted UI; sessionStorage keeps them in this tab only.
      stateStore: store,
      automaticSilentRenew: false,
      loadUserInfo: false,
      monitorSession: false,
    });
    this.pool = new CognitoUserPool({
      UserPoolId: cfg.userPoolId,
      ClientId: cfg.clientId,
      endpoint: cfg.userPoolEndpoint,
      Storage: memoryStorage(),
    });
    // The custom UI's sign-in in progress (challenges answered across
    // screens); in memory only.
    this.pending = null;
    // The refresh under way, which every caller shares.
    this.renewing = null;
  }

  kind() {
    return window.sessionStorage.getItem(KIND);
  }

  // ---- hosted UI (authorization code + PKCE) ----

  signInHosted() {
    return this.hosted.signinRedirect();
  }

  // completeHostedSignIn exchanges the code of the callback URL for
  // tokens. The caller replaces the URL afterwards, so the code leaves the
  // address bar and the history.
  async completeHostedSignIn() {
    await this.forgetLocal();
    await this.hosted.signinCallback(window.location.href);
    window.sessionStorage.setItem(KIND, HOSTED);
  }

  // ---- the session, whichever way in ----

  // session is the current session with a fresh access token, or null when
  // nobody is signed in (or the session could not be refreshed).
  async session() {
    const kind = this.kind();
    if (kind !== HOSTED && kind !== CUSTOM) return null;
    try {
      const s = await this.current(kind);
      if (!s) return this.lost();
      if (s.expiresAt - Date.now() / 1000 >= MARGIN) return s;
      return await this.refresh();
    } catch {
      return this.lost();
    }
  }

  // current is the session as stored, fresh or not.
  async current(kind) {
    if (kind === HOSTED) {
      const user = await this.hosted.getUser();
      return user && fromOIDC(user);
    }
    const t = this.tokens();
    return t && fromTokens(t);
  }

  // refresh gets new tokens with the refresh token now. Callers that ask
  // while a refresh is under way share its result.
  refresh() {
    const kind = this.kind();
    if (kind !== HOSTED && kind !== CUSTOM) return Promise.reject(new Error("not signed in"));
    if (!this.renewing) {
      const renew = kind === HOSTED ? this.hosted.signinSilent().then(fromOIDC) : this.rotate();
      this.renewing = renew.finally(() => {
        this.renewing = null;
      });
    }
    return this.renewing;
  }

  // rotate refreshes the custom UI's session, keeping the new refresh
  // token (the old one where the client does not rotate).
  async rotate() {
    const t = this.tokens();
    if (!t) throw new Error("not signed in");
    const out = await idp(this.cfg, "GetTokensFromRefreshToken", { ClientId: this.cfg.clientId, RefreshToken: t.refresh });
    return fromTokens(this.keep(out.AuthenticationResult, t.refresh));
  }

  // keep stores the tokens of a custom-UI sign-in or refresh.
  keep(result, refresh) {
    const t = { access: result.AccessToken, id: result.IdToken, refresh: result.RefreshToken || refresh };
    window.sessionStorage.setItem(TOKENS, JSON.stringify(t));
    window.sessionStorage.setItem(KIND, CUSTOM);
    return t;
  }

  tokens() {
    try {
      const t = JSON.parse(window.sessionStorage.getItem(TOKENS));
      return t && t.access && t.refresh ? t : null;
    } catch {
      return null;
    }
  }

  async lost() {
    await this.forgetLocal();
    return null;
  }

  // forgetLocal drops every token this tab holds, without telling Cognito.
  async forgetLocal() {
    window.sessionStorage.removeItem(KIND);
    window.sessionStorage.removeItem(TOKENS);
    this.pending = null;
    await this.hosted.removeUser();
  }

  // signOut revokes the refresh token (and with it the access tokens
  // issued from it), forgets the tokens, then ends the hosted UI's own
  // session at the Cognito domain's logout endpoint, which returns to the
  // app's logout URL.
  async signOut() {
    const kind = this.kind();
    try {
      if (kind === HOSTED) {
        await this.hosted.revokeTokens(["refresh_token"]);
      } else if (kind === CUSTOM) {
        const t = this.tokens();
        if (t) await idp(this.cfg, "RevokeToken", { ClientId: this.cfg.clientId, Token: t.refresh });
      }
    } finally {
      await this.forgetLocal();
    }
    const q = new URLSearchParams({ client_id: this.cfg.clientId, logout_uri: this.logoutUri });
    window.location.assign(`${this.cfg.cognitoDomain}/logout?${q}`);
  }

  // ---- custom UI ----

  user(username) {
    return new CognitoUser({ Username: username, Pool: this.pool, Storage: this.pool.storage });
  }

  signUp(username, password, attributes) {
    const attrs = Object.entries(attributes)
      .filter(([, v]) => v !== "")
      .map(([Name, Value]) => new CognitoUserAttribute({ Name, Value }));
    return call((cb) => this.pool.signUp(username, password, attrs, null, cb));
  }

  confirmSignUp(username, code) {
    return call((cb) => this.user(username).confirmRegistration(code, true, cb));
  }

  resendCode(username) {
    return call((cb) => this.user(username).resendConfirmationCode(cb));
  }

  forgotPassword(username) {
    const user = this.user(username);
    return new Promise((resolve, reject) =>
      user.forgotPassword({
        onSuccess: resolve,
        onFailure: reject,
        inputVerificationCode: resolve,
      }),
    );
  }

  confirmPassword(username, code, password) {
    const user = this.user(username);
    return new Promise((resolve, reject) =>
      user.confirmPassword(code, password, { onSuccess: resolve, onFailure: reject }),
    );
  }

  // signIn runs SRP. It resolves to "done", or to the challenge the user
  // must answer next: "totp" (a code from the authenticator app) or
  // "mfaSetup" (enrol an authenticator first; this.pending.secret).
  async signIn(username, password) {
    await this.forgetLocal();
    const user = this.user(username);
    // label: the name the user typed, for their authenticator's entry.
    this.pending = { user, label: username };
    return this.step((cbs) =>
      user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), cbs),
    );
  }

  answerTotp(code) {
    const { user } = this.needPending();
    return this.step((cbs) => user.sendMFACode(code, cbs, "SOFTWARE_TOKEN_MFA"));
  }

  // verifyTotpSetup completes MFA_SETUP: the first code proves the
  // authenticator holds the secret, then the sign-in goes on.
  verifyTotpSetup(code) {
    const { user } = this.needPending();
    return this.step((cbs) => user.verifySoftwareToken(code, "Authenticator app", cbs));
  }

  needPending() {
    if (!this.pending) throw new Error("No sign-in in progress: sign in again.");
    return this.pending;
  }

  step(start) {
    const { user } = this.pending;
    return new Promise((resolve, reject) => {
      const cbs = {
        onSuccess: (session) => {
          this.pending = null;
          this.keep({
            AccessToken: session.getAccessToken().getJwtToken(),
            IdToken: session.getIdToken().getJwtToken(),
            RefreshToken: session.getRefreshToken().getToken(),
          });
          user.clearCachedUser();
          resolve("done");
        },
        onFailure: reject,
        totpRequired: () => resolve("totp"),
        mfaSetup: () =>
          user.associateSoftwareToken({
            associateSecretCode: (secret) => {
              this.pending.secret = secret;
              resolve("mfaSetup");
            },
            onFailure: reject,
          }),
        mfaRequired: () => reject(new Error("SMS MFA is not offered by this app")),
        selectMFAType: () => user.sendMFASelectionAnswer("SOFTWARE_TOKEN_MFA", cbs),
        newPasswordRequired: () =>
          reject(new Error("This account has a temporary password: reset it with \u201cForgot password\u201d.")),
      };
      start(cbs);
    });
  }

  // ---- choice-based sign-in (USER_AUTH): a code by email or SMS, a passkey ----

  // signInWithCode has Cognito send username a one-time code over channel,
  // EMAIL_OTP or SMS_OTP, and resolves to where it went (masked);
  // answerCode then signs in with it.
  async signInWithCode(username, channel) {
    const p = await this.userAuth(username, channel);
    return p.CODE_DELIVERY_DESTINATION;
  }

  // answerCode answers either channel's challenge: EMAIL_OTP_CODE or
  // SMS_OTP_CODE.
  answerCode(code) {
    const { challenge } = this.needPending();
    return this.answer({ [`${challenge}_CODE`]: code }).catch((err) => {
      // The session takes a few more tries before it ends.
      if (err.code === "CodeMismatchException") throw new Error("That code is not the one we sent: check it and try again.");
      throw err;
    });
  }

  // signInWithPasskey signs username in with a passkey: the browser asks
  // the user for one of theirs, signs Cognito's challenge with it, and
  // Cognito checks the signature.
  async signInWithPasskey(username) {
    const p = await this.userAuth(username, "WEB_AUTHN");
    return this.answer({ CREDENTIAL: await getPasskey(p.CREDENTIAL_REQUEST_OPTIONS) });
  }

  // userAuth starts a choice-based sign-in with challenge preferred and
  // resolves to its parameters. Cognito offers another choice
  // (SELECT_CHALLENGE) where the user cannot take it: no such address, no
  // passkey, an authenticator app set up, or a name that is nobody's
  // (which this answer does not tell apart).
  async userAuth(username, challenge) {
    await this.forgetLocal();
    const out = await idp(this.cfg, "InitiateAuth", {
      AuthFlow: "USER_AUTH",
      ClientId: this.cfg.clientId,
      AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: challenge },
    });
    if (out.ChallengeName !== challenge) throw new Error(unavailable[challenge]);
    const p = out.ChallengeParameters || {};
    this.pending = { username: p.USERNAME || username, session: out.Session, challenge };
    return p;
  }

  // answer responds to the pending challenge; its tokens end the sign-in.
  async answer(responses) {
    const p = this.needPending();
    const out = await idp(this.cfg, "RespondToAuthChallenge", {
      ClientId: this.cfg.clientId,
      ChallengeName: p.challenge,
      Session: p.session,
      ChallengeResponses: { USERNAME: p.username, ...responses },
    });
    if (!out.AuthenticationResult) throw new Error(`The sign-in asked for ${out.ChallengeName}, which this form does not answer: sign in with your password.`);
    this.pending = null;
    this.keep(out.AuthenticationResult);
  }

  // ---- the signed-in user's passkeys (either way in) ----

  // passkeys lists them (Cognito keeps at most 20 a user: one page).
  async passkeys() {
    const out = await idp(this.cfg, "ListWebAuthnCredentials", { AccessToken: await this.accessToken(), MaxResults: 20 });
    return out.Credentials || [];
  }

  // addPasskey registers a new passkey: Cognito's creation options go to
  // the browser, which has the user make one, and its attestation back.
  async addPasskey() {
    const AccessToken = await this.accessToken();
    const start = await idp(this.cfg, "StartWebAuthnRegistration", { AccessToken });
    const Credential = await createPasskey(start.CredentialCreationOptions);
    await idp(this.cfg, "CompleteWebAuthnRegistration", { AccessToken, Credential });
  }

  async removePasskey(id) {
    await idp(this.cfg, "DeleteWebAuthnCredential", { AccessToken: await this.accessToken(), CredentialId: id });
  }

  async accessToken() {
    const s = await this.session();
    if (!s) throw new Error("Your session has ended: sign in again.");
    return s.accessToken;
  }

  // ---- account operations with the current session (either way in) ----

  // account is a CognitoUser carrying the current tokens, for the user
  // pool calls authorized by an access token (which needs the
  // aws.cognito.signin.user.admin scope).
  async account() {
    const s = await this.session();
    if (!s) throw new Error("Your session has ended: sign in again.");
    const pool = new CognitoUserPool({
      UserPoolId: this.cfg.userPoolId,
      ClientId: this.cfg.clientId,
      endpoint: this.cfg.userPoolEndpoint,
      Storage: memoryStorage(),
    });
    const user = new CognitoUser({ Username: s.claims["cognito:username"] || s.claims.sub, Pool: pool, Storage: pool.storage });
    user.setSignInUserSession(
      new CognitoUserSession({
        IdToken: new CognitoIdToken({ IdToken: s.idToken }),
        AccessToken: new CognitoAccessToken({ AccessToken: s.accessToken }),
        RefreshToken: new CognitoRefreshToken({ RefreshToken: "" }),
      }),
    );
    return user;
  }

  // userData is the user's attributes and whether TOTP is on (GetUser).
  async userData() {
    const user = await this.account();
    const data = await call((cb) => user.getUserData(cb, { bypassCache: true }));
    return {
      attributes: Object.fromEntries((data.UserAttributes || []).map((a) => [a.Name, a.Value])),
      totp: (data.UserMFASettingList || []).includes("SOFTWARE_TOKEN_MFA"),
    };
  }

  // updateAttributes resolves to the delivery details of the codes sent
  // for a changed email or phone number (empty when nothing needs one).
  async updateAttributes(changes) {
    const user = await this.account();
    const attrs = Object.entries(changes).map(([Name, Value]) => new CognitoUserAttribute({ Name, Value }));
    return call((cb) =>
      user.updateAttributes(attrs, (err, _status, out) => cb(err, (out && out.CodeDeliveryDetailsList) || [])),
    );
  }

  async verifyAttribute(name, code) {
    const user = await this.account();
    return new Promise((resolve, reject) => user.verifyAttribute(name, code, { onSuccess: resolve, onFailure: reject }));
  }

  async associateTotp() {
    const user = await this.account();
    return new Promise((resolve, reject) =>
      user.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }),
    );
  }

  async enableTotp(code) {
    const user = await this.account();
    await new Promise((resolve, reject) =>
      user.verifySoftwareToken(code, "Authenticator app", { onSuccess: resolve, onFailure: reject }),
    );
    await call((cb) => user.setUserMfaPreference(null, { PreferredMfa: true, Enabled: true }, cb));
  }
}

function fromOIDC(user) {
  return { kind: HOSTED, accessToken: user.access_token, idToken: user.id_token, claims: user.profile, expiresAt: user.expires_at };
}

function fromTokens(t) {
  return { kind: CUSTOM, accessToken: t.access, idToken: t.id, claims: claims(t.id), expiresAt: claims(t.access).exp };
}
