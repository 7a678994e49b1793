// Regenerates reference_vectors.json from the reference client,
// amazon-cognito-identity-js, so the Go known-answer tests pin this
// package to what AWS's own SDK sends rather than to our reading of it.
//
// It drives the real CognitoUser.authenticateUser (USER_SRP_AUTH ->
// PASSWORD_VERIFIER) with a fake transport, a fixed small a and a fixed
// clock, and records the ChallengeResponses it would send. Inputs come from
// a SHA-256 stream from a fixed start, so a rerun reproduces the file byte for byte.
//
//   npm install --prefix /tmp/srpref amazon-cognito-identity-js@6.3.21
//   NODE_PATH=/tmp/srpref/node_modules node gen_reference_vectors.js > reference_vectors.json
'use strict';
const crypto = require('crypto');
const lib = require('amazon-cognito-identity-js');
const AuthenticationHelper = require('amazon-cognito-identity-js/lib/AuthenticationHelper').default;
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger').default;

let counter = 0;
function rnd(nBytes) {
  let out = Buffer.alloc(0);
  while (out.length < nBytes) {
    out = Buffer.concat([out, crypto.createHash('sha256').update(`portcullis-srp-kat/${counter++}`).digest()]);
  }
  return out.subarray(0, nBytes).toString('hex');
}

// The reference reads the clock with `new Date()`; pin it.
const RealDate = Date;
let fixedNow = 0;
global.Date = class extends RealDate {
  constructor(...args) { if (args.length === 0) super(fixedNow); else super(...args); }
  static now() { return fixedNow; }
};

let smallAHex = '';
AuthenticationHelper.prototype.generateRandomSmallA = function () { return new BigInteger(smallAHex, 16); };
let lastS = null;
const calculateS = AuthenticationHelper.prototype.calculateS;
AuthenticationHelper.prototype.calculateS = function (x, B, cb) {
  return calculateS.call(this, x, B, (err, s) => { lastS = s; cb(err, s); });
};

function authenticate(v) {
  return new Promise((resolve, reject) => {
    smallAHex = v.a;
    fixedNow = v.now;
    const pool = new lib.CognitoUserPool({ UserPoolId: v.poolId, ClientId: 'portcullisclient' });
    let srpA;
    pool.client.request = (op, params, cb) => {
      if (op === 'InitiateAuth') {
        srpA = params.AuthParameters.SRP_A;
        cb(null, {
          ChallengeName: 'PASSWORD_VERIFIER', Session: 'session',
          ChallengeParameters: {
            SALT: v.salt, SRP_B: v.B, SECRET_BLOCK: v.secretBlock,
            USER_ID_FOR_SRP: v.userIdForSRP, USERNAME: v.userIdForSRP,
          },
        });
      } else if (op === 'RespondToAuthChallenge') {
        resolve({ srpA, responses: params.ChallengeResponses, S: lastS.toString(16) });
      } else {
        reject(new Error(`unexpected ${op}`));
      }
    };
    const user = new lib.CognitoUser({ Username: v.typed, Pool: pool });
    user.authenticateUser(new lib.AuthenticationDetails({ Username: v.typed, Password: v.password }),
      { onFailure: reject, onSuccess: () => {} });
  });
}

function uOf(aHex, BHex) {
  const h = new AuthenticationHelper('p');
  h.smallAValue = new BigInteger(aHex, 16);
  h.largeAValue = null;
  h.getLargeAValue(() => {});
  return h.calculateU(h.largeAValue, new BigInteger(BHex, 16)).toString(16);
}

const highBit = (hx) => /^[89a-f]/.test(hx);

(async () => {
  const helper = new AuthenticationHelper('p');
  const N = helper.N;
  const randB = () => new BigInteger(rnd(384), 16).mod(N).toString(16);

  // Each spec steers the random inputs so that, between them, every
  // padHex branch (leading 00, odd length, neither) is taken by salt, A,
  // B, u and S.
  const specs = [
    { poolId: 'us-east-1_AbCdEf123', typed: 'alice', userIdForSRP: 'alice', password: 'Passw0rd!',
      salt: () => '8' + rnd(16).slice(1), ok: (B, o) => highBit(uOf(o.a, B)) && uOf(o.a, B).length === 64,
      now: Date.UTC(2026, 0, 5, 7, 8, 9) },
    { poolId: 'eu-west-2_Zz9', typed: 'alice@example.com', userIdForSRP: '7a1b2c3d-0000-4000-8000-123456789abc',
      password: 'correct horse battery staple', salt: () => '5' + rnd(16).slice(2),
      ok: (B, o) => uOf(o.a, B).length % 2 === 1, now: Date.UTC(2024, 1, 29, 23, 59, 59) },
    { poolId: 'ap-southeast-2_q1W2e3R4t', typed: 'Zoë', userIdForSRP: 'Zoë', password: 'pässwörd ☃',
      salt: () => '00' + rnd(15), ok: (B) => highBit(B), now: Date.UTC(2025, 11, 31, 0, 0, 0) },
    { poolId: 'ca-central-1_OddS', typed: 'carol', userIdForSRP: 'carol', password: 'Pa55word',
      salt: () => '5' + rnd(16).slice(2), ok: () => true, okS: (S) => S.length % 2 === 1,
      now: Date.UTC(2027, 8, 9, 9, 9, 9) },
    { poolId: 'us-west-2_x', typed: 'bob', userIdForSRP: 'bob', password: 'p', a: '10',
      salt: () => rnd(16), ok: (B) => !highBit(B), okS: (S) => S.length === 768 && highBit(S),
      now: Date.UTC(2030, 6, 14, 12, 30, 1) },
  ];

  const vectors = [];
  for (const s of specs) {
    const v = {
      poolId: s.poolId, typed: s.typed, userIdForSRP: s.userIdForSRP, password: s.password,
      a: s.a || rnd(128), salt: s.salt(), secretBlock: Buffer.from(rnd(46 + vectors.length), 'hex').toString('base64'), now: s.now,
    };
    let out;
    for (;;) {
      v.B = randB();
      if (v.B.length !== 768 && !s.okS) continue;
      if (!s.ok(v.B, v)) continue;
      out = await authenticate(v);
      if (!s.okS || s.okS(out.S)) break;
    }
    vectors.push({
      poolId: v.poolId, typedUsername: v.typed, userIdForSRP: v.userIdForSRP, password: v.password,
      smallA: v.a, salt: v.salt, srpB: v.B, secretBlock: v.secretBlock,
      timeUnix: v.now / 1000,
      wantSrpA: out.srpA, wantU: uOf(v.a, v.B), wantS: out.S,
      wantResponses: out.responses,
    });
  }
  process.stdout.write(JSON.stringify({
    source: 'amazon-cognito-identity-js@6.3.21 CognitoUser.authenticateUser (USER_SRP_AUTH), generated by gen_reference_vectors.js',
    k: helper.k.toString(16),
    vectors,
  }, null, 2) + '\n');
})().catch((e) => { console.error(e); process.exit(1); });
