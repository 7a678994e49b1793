// The API on the app's own origin (cfg.apiPath, "/api"), called with the
// access token. Errors carry the API's `message` (every 4xx has one) and
// `error` code where a handler answered.

export class APIError extends Error {
  constructor(status, body) {
    super((body && body.message) || `The API answered ${status}`);
    this.name = "APIError";
    this.status = status;
    this.code = body && body.error;
  }
}

export class API {
  constructor(cfg, auth) {
    this.base = cfg.apiPath;
    this.auth = auth;
  }

  async request(method, path, body) {
    let session = await this.auth.session();
    if (!session) throw new APIError(401, { message: "Your session has ended: sign in again." });
    let res = await this.send(method, path, body, session.accessToken);
    if (res.status === 401) {
      // The access token may have expired between the check and the call
      // (or the clock is off): one refresh, one retry.
      session = await this.auth.refresh().catch(() => null);
      if (!session) throw new APIError(401, { message: "Your session has ended: sign in again." });
      res = await this.send(method, path, body, session.accessToken);
    }
    const text = await res.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = { message: text };
      }
    }
    if (!res.ok) throw new APIError(res.status, data);
    return data;
  }

  send(method, path, body, token) {
    const headers = { Authorization: `Bearer ${token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(this.base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  }

  get(path) { return this.request("GET", path); }
  post(path, body) { return this.request("POST", path, body ?? {}); }
  put(path, body) { return this.request("PUT", path, body); }
  del(path) { return this.request("DELETE", path); }
}

// upload PUTs file to a presigned URL with exactly the signed headers,
// reporting progress (0..1). XMLHttpRequest, unlike fetch, reports upload
// progress.
export function upload(target, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(target.method || "PUT", target.url);
    for (const [k, v] of Object.entries(target.headers || {})) {
      // The browser sets these itself and refuses to be told.
      if (/^(host|content-length)$/i.test(k)) continue;
      xhr.setRequestHeader(k, v);
    }
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else {
        reject(new Error(`The upload was refused (${xhr.status})`));
      }
    };
    xhr.onerror = () => reject(new Error("The upload failed: network error"));
    xhr.onabort = () => reject(new Error("The upload was cancelled"));
    xhr.send(file);
  });
}
