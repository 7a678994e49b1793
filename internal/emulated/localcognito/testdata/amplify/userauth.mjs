// Amplify JS v6's choice-based sign-in against the local user pool, as a
// web app calls it: an emailed one-time code, then passkey registration,
// listing, sign-in and removal. Node has no WebAuthn, so a software
// authenticator (an ES256 key, attestation "none") stands in for the
// browser's navigator.credentials, behind the browser globals Amplify
// checks before it uses passkeys.
//
// Usage: node userauth.mjs <endpoint> <pool id> <client id> <username>
// The endpoint also serves GET /_dev/code?username=, the last code sent.
import crypto from 'node:crypto';

const [endpoint, userPoolId, userPoolClientId, username] = process.argv.slice(2);
const origin = 'http://localhost:5173';

// The browser globals Amplify looks for: a secure window with a document,
// localStorage for its tokens, and the WebAuthn classes.
const storage = new Map();
globalThis.window = globalThis;
globalThis.document = {
  addEventListener() {}, removeEventListener() {}, querySelector: () => null, querySelectorAll: () => [],
  getElementById: () => null, visibilityState: 'visible', cookie: '',
};
globalThis.isSecureContext = true;
globalThis.addEventListener = () => {};
globalThis.removeEventListener = () => {};
globalThis.localStorage = {
  getItem: (k) => (storage.has(k) ? storage.get(k) : null),
  setItem: (k, v) => storage.set(k, String(v)),
  removeItem: (k) => storage.delete(k),
  clear: () => storage.clear(),
  key: (i) => [...storage.keys()][i] ?? null,
  get length() { return storage.size; },
};
globalThis.PublicKeyCredential = class PublicKeyCredential {};
globalThis.AuthenticatorAttestationResponse = class AuthenticatorAttestationResponse {};
globalThis.AuthenticatorAssertionResponse = class AuthenticatorAssertionResponse {};

// cbor encodes the few CBOR shapes an attestation needs.
function cbor(v) {
  const head = (major, n) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(n, 1); return b;
  };
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') { const b = Buffer.from(v); return Buffer.concat([head(3, b.length), b]); }
  if (Buffer.isBuffer(v)) return Buffer.concat([head(2, v.length), v]);
  const entries = v instanceof Map ? [...v] : Object.entries(v);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, x]) => [cbor(k), cbor(x)])]);
}

const ab = (buf) => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
const sha256 = (b) => crypto.createHash('sha256').update(b).digest();

// The software authenticator: one ES256 key, one credential id, a counter.
const key = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = key.publicKey.export({ format: 'jwk' });
const credentialId = crypto.randomBytes(32);
let counter = 0;

function authData(rpId, attested) {
  const flags = 0x01 | 0x04 | (attested ? 0x40 : 0); // UP, UV, AT
  const count = Buffer.alloc(4); count.writeUInt32BE(++counter);
  const parts = [sha256(rpId), Buffer.from([flags]), count];
  if (attested) {
    const len = Buffer.alloc(2); len.writeUInt16BE(credentialId.length);
    const cose = cbor(new Map([[1, 2], [3, -7], [-1, 1],
      [-2, Buffer.from(jwk.x, 'base64url')], [-3, Buffer.from(jwk.y, 'base64url')]]));
    parts.push(Buffer.alloc(16), len, credentialId, cose);
  }
  return Buffer.concat(parts);
}

const clientData = (type, challenge) => Buffer.from(JSON.stringify({
  type, challenge: Buffer.from(challenge).toString('base64url'), origin, crossOrigin: false,
}));

function credential(response) {
  const c = new PublicKeyCredential();
  Object.assign(c, {
    id: credentialId.toString('base64url'), rawId: ab(credentialId), type: 'public-key',
    authenticatorAttachment: 'platform', response, getClientExtensionResults: () => ({}),
  });
  return c;
}

const credentials = {
  async create({ publicKey }) {
    const data = authData(publicKey.rp.id, true);
    const r = new AuthenticatorAttestationResponse();
    Object.assign(r, {
      clientDataJSON: ab(clientData('webauthn.create', publicKey.challenge)),
      attestationObject: ab(cbor({ fmt: 'none', attStmt: {}, authData: data })),
      getTransports: () => ['internal'],
      getPublicKeyAlgorithm: () => -7,
      getAuthenticatorData: () => ab(data),
      getPublicKey: () => ab(key.publicKey.export({ format: 'der', type: 'spki' })),
    });
    return credential(r);
  },
  async get({ publicKey }) {
    const data = authData(publicKey.rpId, false);
    const client = clientData('webauthn.get', publicKey.challenge);
    const signature = crypto.sign('sha256', Buffer.concat([data, sha256(client)]), key.privateKey);
    const r = new AuthenticatorAssertionResponse();
    Object.assign(r, { clientDataJSON: ab(client), authenticatorData: ab(data), signature: ab(signature), userHandle: null });
    return credential(r);
  },
};
Object.defineProperty(globalThis.navigator, 'credentials', { value: credentials, configurable: true });

const { Amplify } = await import('aws-amplify');
const auth = await import('aws-amplify/auth');
Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: endpoint } } });

const steps = [];
const step = (name, value) => { steps.push({ name, value }); };

// An emailed one-time code.
let res = await auth.signIn({ username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
step('signIn EMAIL_OTP', res.nextStep.signInStep);
const code = await (await fetch(`${endpoint}/_dev/code?username=${encodeURIComponent(username)}`)).text();
res = await auth.confirmSignIn({ challengeResponse: code });
step('confirmSignIn code', res.nextStep.signInStep);
const session = await auth.fetchAuthSession();
step('access token', session.tokens?.accessToken ? 'present' : 'missing');

// A passkey: registered, listed, used to sign in, removed.
await auth.associateWebAuthnCredential();
let list = await auth.listWebAuthnCredentials();
step('listWebAuthnCredentials', list.credentials.map((c) => c.credentialId));
await auth.signOut();
res = await auth.signIn({ username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } });
step('signIn WEB_AUTHN', res.nextStep.signInStep);
await auth.signOut();
res = await auth.signIn({ username, options: { authFlowType: 'USER_AUTH' } });
step('signIn choice', [res.nextStep.signInStep, res.nextStep.availableChallenges]);
res = await auth.confirmSignIn({ challengeResponse: 'WEB_AUTHN' });
step('confirmSignIn WEB_AUTHN', res.nextStep.signInStep);
await auth.deleteWebAuthnCredential({ credentialId: list.credentials[0].credentialId });
list = await auth.listWebAuthnCredentials();
step('after deleteWebAuthnCredential', list.credentials.length);

process.stdout.write(JSON.stringify({ steps, credentialId: credentialId.toString('base64url') }));
