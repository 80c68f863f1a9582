// The admin API as the dashboard calls it: same-origin fetch with the
// session cookie, the CSRF token on every changing method, JSON in and out
// (a file's bytes are sent as they are: the `raw` argument of an upload, or a
// Blob body, a file to import).
// A failure throws ApiError with the server's status, code and reason; a 401
// anywhere but the login calls the handler set by onUnauthenticated (the
// session expired: back to the login page).

let csrf = null;
let unauthenticated = () => {};

export class ApiError extends Error {
	constructor(status, code, reason, data) {
		super(reason || code || `HTTP ${status}`);
		this.status = status;
		this.code = code;
		this.data = data || null; // the whole answer (an import's per-row errors)
	}
}

export function setCsrf(token) { csrf = token || null; }
export function onUnauthenticated(fn) { unauthenticated = fn; }

export function query(params) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params || {}))
		if (v !== undefined && v !== null && v !== '') q.set(k, v);
	const s = q.toString();
	return s ? `?${s}` : '';
}

export async function api(method, path, body, raw) {
	const opts = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
	const bytes = raw !== undefined ? raw : body instanceof Blob ? body : undefined;
	if (bytes !== undefined) {
		opts.headers['Content-Type'] = 'application/octet-stream';
		opts.body = bytes;
	} else if (body !== undefined) {
		opts.headers['Content-Type'] = 'application/json';
		opts.body = JSON.stringify(body);
	}
	if (method !== 'GET' && csrf) opts.headers['X-CSRF-Token'] = csrf;
	let r;
	try {
		r = await fetch(path, opts);
	} catch (e) {
		throw new ApiError(0, 'network', e.message);
	}
	if (r.status === 204) return null;
	let data = null;
	try { data = await r.json(); } catch { data = null; }
	if (!r.ok) {
		if (r.status === 401 && path !== '/api/v1/auth/login' && path !== '/api/v1/auth/me')
			unauthenticated();
		throw new ApiError(r.status, data && data.error, data && data.reason, data);
	}
	return data;
}

export const get = (path, params) => api('GET', path + query(params));

// POST a file (a Blob or File) as the request's body: evidence uploads.
export const upload = (path, file) => api('POST', path, undefined, file);
