// Fetch wrappers for the stad HTTP API (docs/api.md).
//
// Every data route carries an ETag; we keep the last body per URL and send
// If-None-Match, so an unchanged answer costs a 304 and no parsing. URLs are relative
// ("api/meta"), so the dashboard also works when served under a sub-path.

const cache = new Map(); // url -> { etag, data }

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
  if (!res.ok) {
    let msg = `${res.status} ${res.statusText}`;
    let parameter = null;
    try {
      const body = await res.json();
      if (body && body.error) msg = body.error;
      parameter = body && body.parameter;
    } catch (_) { /* not JSON */ }
    throw new ApiError(msg, res.status, parameter);
  }
  const data = await res.json();
  const etag = res.headers.get('ETag');
  if (useCache && etag) {
    cache.set(url, { etag, data });
    if (cache.size > 200) cache.delete(cache.keys().next().value);
  }
  return data;
}

export const api = {
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
