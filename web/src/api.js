// api.js: the token and the calls to entente serve's JSON API.

const KEY = 'entente.token';

export function token() {
  return sessionStorage.getItem(KEY) || '';
}

export function setToken(t) {
  if (t) sessionStorage.setItem(KEY, t.trim());
  else sessionStorage.removeItem(KEY);
}

// takeFragmentToken moves a token given as #token=... in the address into
// sessionStorage and removes it from the address bar and the history.
export function takeFragmentToken() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return false;
  setToken(decodeURIComponent(m[1]));
  history.replaceState(null, '', location.pathname + location.search + '#/');
  return true;
}

// ApiError is an error answer: status, code and message from the server.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// api calls path with the token; a JSON body is sent for non-GET calls
// given one. It resolves to the decoded JSON and rejects with an ApiError.
export async function api(path, { method = 'GET', body, raw, contentType } = {}) {
  const headers = { Authorization: `Bearer ${token()}` };
  let payload;
  if (raw !== undefined) {
    payload = raw;
    headers['Content-Type'] = contentType || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload });
  } catch (e) {
    throw new ApiError(0, 'network', `the server does not answer (${e.message})`);
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, 'not-json', `the server answered ${res.status} with something other than JSON`);
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    throw new ApiError(res.status, e.code || 'http', e.message || `HTTP ${res.status}`);
  }
  return data;
}

// sid encodes a settlement id for a path.
export function sid(id) {
  return `/api/settlements/${encodeURIComponent(id)}`;
}
