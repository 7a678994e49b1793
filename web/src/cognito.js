// The user pool API calls amazon-cognito-identity-js does not make
// (GetTokensFromRefreshToken, choice-based sign-in, passkeys), posted as
// Cognito's AWS JSON 1.1 requests to cfg.userPoolEndpoint, and what a
// passkey ceremony needs between Cognito's JSON options and the browser's
// navigator.credentials.

// CognitoError is a refusal of the user pool API: code is the exception
// name (NotAuthorizedException, CodeMismatchException, ...).
export class CognitoError extends Error {
  constructor(status, body, op) {
    super((body && (body.message || body.Message)) || `${op} answered ${status}`);
    this.name = "CognitoError";
    this.code = ((body && body.__type) || "").split("#").pop();
    this.status = status;
  }
}

// idp calls one operation of the user pool API.
export async function idp(cfg, op, body) {
  const res = await fetch(cfg.userPoolEndpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${op}`,
    },
    body: JSON.stringify(body),
    credentials: "omit",
    cache: "no-store",
  });
  const text = await res.text();
  let data = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = { message: text };
  }
  if (!res.ok) throw new CognitoError(res.status, data, op);
  return data;
}

// claims reads a JWT's payload. The app trusts it only as far as it came
// from the user pool over TLS: the API verifies every token it is sent.
export function claims(jwt) {
  const part = (jwt || "").split(".")[1];
  if (!part) return {};
  return JSON.parse(new TextDecoder().decode(fromB64url(part)));
}

function fromB64url(s) {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function toB64url(buf) {
  let s = "";
  for (const b of new Uint8Array(buf)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// The binary members of WebAuthn's options travel as base64url in JSON.
const descriptors = (list) => (list || []).map((c) => ({ ...c, id: fromB64url(c.id) }));

// createPasskey runs the registration ceremony of StartWebAuthnRegistration's
// CredentialCreationOptions and returns the RegistrationResponseJSON that
// CompleteWebAuthnRegistration takes.
export async function createPasskey(options) {
  const cred = await navigator.credentials.create({
    publicKey: {
      ...options,
      challenge: fromB64url(options.challenge),
      user: { ...options.user, id: fromB64url(options.user.id) },
      excludeCredentials: descriptors(options.excludeCredentials),
    },
  });
  const r = cred.response;
  return credentialJSON(cred, {
    clientDataJSON: toB64url(r.clientDataJSON),
    attestationObject: toB64url(r.attestationObject),
    transports: r.getTransports ? r.getTransports() : [],
  });
}

// getPasskey runs the authentication ceremony of a WEB_AUTHN challenge's
// CREDENTIAL_REQUEST_OPTIONS (a JSON string) and returns the
// AuthenticationResponseJSON, as the string its CREDENTIAL answer takes.
export async function getPasskey(requestOptions) {
  const options = JSON.parse(requestOptions);
  const cred = await navigator.credentials.get({
    publicKey: {
      ...options,
      challenge: fromB64url(options.challenge),
      allowCredentials: descriptors(options.allowCredentials),
    },
  });
  const r = cred.response;
  return JSON.stringify(
    credentialJSON(cred, {
      clientDataJSON: toB64url(r.clientDataJSON),
      authenticatorData: toB64url(r.authenticatorData),
      signature: toB64url(r.signature),
      userHandle: r.userHandle ? toB64url(r.userHandle) : undefined,
    }),
  );
}

// credentialJSON is a PublicKeyCredential as JSON (WebAuthn's
// RegistrationResponseJSON and AuthenticationResponseJSON), given its
// response's members.
function credentialJSON(cred, response) {
  return {
    id: cred.id,
    rawId: toB64url(cred.rawId),
    type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment || undefined,
    clientExtensionResults: cred.getClientExtensionResults(),
    response,
  };
}

// passkeysSupported reports whether this browser can use passkeys.
export function passkeysSupported() {
  return typeof window.PublicKeyCredential === "function" && !!navigator.credentials;
}
