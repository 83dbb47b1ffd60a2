// Fetch wrappers for the stad HTTP API (docs/api.md).
//
// Every data route carries an ETag; we keep the last body per URL and send
// If-None-Match, so an unchanged answer costs a 304 and no parsing. URLs are relative
// ("api/meta"), so the dashboard also works when served under a sub-path.
//
// Every route but /api/health and POST /api/login needs the session cookie (HttpOnly,
// set by the server; the page never sees it). A POST also needs the CSRF token that
// /api/login and /api/session hand out, in the X-CSRF-Token header. A 401 means the
// session ended (logout elsewhere, idle timeout, lock): onUnauthorized is told, so the
// page can show the login form again.

const cache = new Map(); // url -> { etag, data }
let csrfToken = '';
let onUnauthorized = null;

// Called by session.js with the token of /api/login or /api/session ('' at logout).
export function setCsrf(token) {
  csrfToken = token || '';
}

export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

// A new session may read other sources: answers of the old one must not be reused.
export function clearCache() {
  cache.clear();
}

export class ApiError extends Error {
  constructor(message, status, parameter) {
    super(message);
    this.status = status;
    this.parameter = parameter || null;
  }
}

// query({kind: 'a,b', from: '2017-01-01', empty: ''}) -> "kind=a%2Cb&from=2017-01-01"
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// getJSON('api/events', {page: 1}, {signal, cache: false})
export async function getJSON(path, params, opts = {}) {
  const url = path + query(params);
  const useCache = opts.cache !== false;
  const headers = { Accept: 'application/json, application/geo+json' };
  const hit = useCache ? cache.get(url) : undefined;
  if (hit && hit.etag) headers['If-None-Match'] = hit.etag;

  const res = await fetch(url, {
    headers,
    signal: opts.signal,
    cache: 'no-store', // the ETag logic is ours; do not let the HTTP cache interfere
  });
  if (res.status === 304 && hit) return hit.data;
  if (!res.ok) throw await errorOf(res, opts);
  const data = await res.json();
  const etag = res.headers.get('ETag');
  if (useCache && etag) {
    cache.set(url, { etag, data });
    if (cache.size > 200) cache.delete(cache.keys().next().value);
  }
  return data;
}

async function errorOf(res, opts = {}) {
  let msg = `${res.status} ${res.statusText}`;
  let parameter = null;
  try {
    const body = await res.json();
    if (body && body.error) msg = body.error;
    parameter = body && body.parameter;
  } catch (_) { /* not JSON */ }
  const err = new ApiError(msg, res.status, parameter);
  const retry = Number(res.headers.get('Retry-After'));
  if (Number.isFinite(retry) && retry > 0) err.retryAfter = retry;
  if (res.status === 401 && opts.quiet401 !== true && onUnauthorized) onUnauthorized(err);
  return err;
}

// postJSON('api/register/approve', {source: 'x', approve: true}): JSON body, CSRF header.
export async function postJSON(path, body, opts = {}) {
  const headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(path, {
    method: 'POST',
    headers,
    body: JSON.stringify(body || {}),
    signal: opts.signal,
    cache: 'no-store',
    credentials: 'same-origin',
  });
  if (!res.ok) throw await errorOf(res, opts);
  return res.json();
}

export const api = {
  // Who is logged in (401 without a session: not an expiry, so quiet).
  session: (signal) => getJSON('api/session', null, { signal, cache: false, quiet401: true }),
  // A wrong password is a 401 too, but no expired session.
  login: (name, password) => postJSON('api/login', { name, password }, { quiet401: true }),
  logout: () => postJSON('api/logout', {}, { quiet401: true }),
  register: (signal) => getJSON('api/register', null, { signal, cache: false }),
  registerSet: (fields) => postJSON('api/register/set', fields),
  registerApprove: (source, approve) => postJSON('api/register/approve', { source, approve }),
  // filters: {since, actor, action, limit}; newest first
  audit: (filters, signal) => getJSON('api/audit', filters, { signal, cache: false }),
  health: (signal) => getJSON('api/health', null, { signal, cache: false }),
  meta: (signal) => getJSON('api/meta', null, { signal }),
  areas: (level, signal) => getJSON('api/areas', { level }, { signal }),
  events: (filters, page, pageSize, signal) =>
    getJSON('api/events', { ...filters, page, page_size: pageSize }, { signal }),
  trend: (filters, signal) => getJSON('api/trend', filters, { signal }),
  hotspots: (filters, signal) => getJSON('api/hotspots', filters, { signal }),
  kde: (filters, signal) => getJSON('api/kde', filters, { signal }),
  change: (filters, level, signal) => getJSON('api/change', { ...filters, level }, { signal }),
  flexteam: (filters, shifts, signal) => getJSON('api/flexteam', { ...filters, shifts }, { signal }),
  // The status also reports watch errors, which need not change the data version:
  // always ask fresh.
  status: (signal) => getJSON('api/status', null, { signal, cache: false }),
};
