// The dashboard's one door to the HTTP API. The session cookie (HttpOnly, set by POST /api/session) goes with every
// same-origin request by itself; the CSRF token the sign-in returns lives only in this module's memory and is sent
// on every change. The API key is never kept: it is posted once to /api/session and forgotten.

let csrfToken = null;

/** An API error: status, title and the field problems of the problem+json body. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.errors = problem?.errors || {};
  }
}

async function send(method, path, body, accept = 'application/json') {
  const headers = { Accept: accept };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
  });
  const text = await response.text();
  const json = text && (response.headers.get('content-type') || '').includes('json') ? JSON.parse(text) : null;
  if (!response.ok) {
    if (response.status === 401 && path !== '/api/session') window.dispatchEvent(new CustomEvent('signed-out'));
    throw new ApiError(response.status, json);
  }
  return json;
}

export const get = (path) => send('GET', path);
export const post = (path, body) => send('POST', path, body ?? {});
export const put = (path, body) => send('PUT', path, body);

export async function signIn(apiKey) {
  const session = await send('POST', '/api/session', { apiKey });
  csrfToken = session.csrfToken;
  return session;
}

/**
 * After a reload: the cookie may still hold a session; its CSRF token is asked for again. Behind Azure Static Web Apps
 * there is no /api/session (404): the platform has signed the user in with Entra ID before the page loaded.
 */
export let platformSignIn = false;
export async function resume() {
  try {
    const session = await send('GET', '/api/session');
    csrfToken = session.csrfToken;
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return false;
    if (e instanceof ApiError && e.status === 404) {
      platformSignIn = true;
      return true;
    }
    throw e;
  }
}

export async function signOut() {
  if (platformSignIn) {
    window.location.assign('/.auth/logout');
    return;
  }
  await send('DELETE', '/api/session');
  csrfToken = null;
}

export const enc = encodeURIComponent;
