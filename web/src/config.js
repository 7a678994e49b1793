// The stage's runtime configuration: /config.json (webconfig.Config in
// Go), written at deploy time or by `make dev`. One build serves every
// stage, so nothing stage-specific is compiled in.

const required = [
  "region", "userPoolId", "clientId", "issuer", "cognitoDomain",
  "userPoolEndpoint", "apiPath", "callbackPath", "logoutPath",
];

export async function loadConfig() {
  // no-store: a redeploy that changes the stage's values must be seen at
  // the next start, whatever a cache holds.
  const res = await fetch("/config.json", { cache: "no-store", credentials: "same-origin" });
  if (!res.ok) {
    throw new Error(`/config.json answered ${res.status}: the stage has no front-end configuration`);
  }
  const cfg = await res.json();
  return checkConfig(cfg);
}

export function checkConfig(cfg) {
  const missing = required.filter((k) => typeof cfg[k] !== "string" || cfg[k] === "");
  for (const list of ["scopes", "firstAuthFactors"]) {
    if (!Array.isArray(cfg[list]) || cfg[list].length === 0) missing.push(list);
  }
  if (missing.length) {
    throw new Error(`/config.json lacks ${missing.join(", ")}`);
  }
  return {
    ...cfg,
    cognitoDomain: cfg.cognitoDomain.replace(/\/+$/, ""),
    issuer: cfg.issuer.replace(/\/+$/, ""),
    apiPath: cfg.apiPath.replace(/\/+$/, ""),
    // The SDK posts to this URL as is; Cognito's API answers at "/".
    userPoolEndpoint: cfg.userPoolEndpoint.replace(/\/*$/, "/"),
  };
}
