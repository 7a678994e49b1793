// The user pool API calls amazon-cognito-identity-js does not make
// (GetTokensFromRefreshToken, RevokeToken), posted as Cognito's AWS JSON
// 1.1 requests to cfg.userPoolEndpoint.

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
