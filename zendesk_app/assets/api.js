// Every call to the escalation sidecar goes through sidecarRequest(): one client.request() through
// Zendesk's proxy with secure settings. Zendesk signs a short-lived HS256 JWT with the installation's
// shared secret on its servers ({{setting.shared_secret}} is substituted there, never in the
// browser) and puts it in the Authorization header where {{jwt.token}} stands.
// Failures become a SidecarError whose `kind` says what the agent can do about it.

export const JWT_EXPIRY_SECONDS = 300;
export const REQUEST_TIMEOUT_MS = 20000;

export const ErrorKind = Object.freeze({
  UNREACHABLE: 'unreachable', // no answer at all (status 0, network, timeout)
  UNAVAILABLE: 'unavailable', // the sidecar answered 5xx
  UPSTREAM: 'upstream', // the sidecar is fine but Jira / Slack / the help desk is not (upstream_* codes)
  NOT_CONFIGURED: 'not_configured', // settings missing, or the sidecar refused the credentials (401)
  FORBIDDEN: 'forbidden', // 403
  NOT_FOUND: 'not_found', // 404
  INVALID: 'invalid', // other 4xx: the sidecar's message says what is wrong
  RATE_LIMITED: 'rate_limited', // 429
  UNEXPECTED: 'unexpected', // anything else (a bug, a broken response)
});

/** A failed sidecar call, classified for the agent. */
export class SidecarError extends Error {
  constructor({kind, status = null, code = null, message = '', details = null}) {
    super(message || kind);
    this.name = 'SidecarError';
    this.kind = kind;
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/**
 * The agent session the sidecar put in the page when Zendesk loaded the app with a signed identity
 * (package.py --signed-urls), or ''. With one, calls carry it instead of the JWT the browser asks for.
 */
export function pageSession(doc = globalThis.document) {
  const meta = doc && typeof doc.querySelector === 'function' ? doc.querySelector('meta[name="sidecar-session"]') : null;
  const value = meta && (meta.content || (typeof meta.getAttribute === 'function' && meta.getAttribute('content')));
  return typeof value === 'string' && value.startsWith('ses_') ? value : '';
}

/** The app's non-secure settings from client.metadata() (secure ones are never exposed to JS). */
export async function sidecarSettings(client, doc = globalThis.document) {
  const metadata = (await client.metadata()) || {};
  const settings = metadata.settings || {};
  return {
    session: pageSession(doc),
    sidecarUrl: String(settings.sidecar_url || '').trim().replace(/\/+$/, ''),
    installationId: String(settings.installation_id || '').trim(),
    authWithApiToken: settings.auth_with_api_token === true || settings.auth_with_api_token === 'true',
    jiraKeyFieldId: settings.jira_key_field_id ? String(settings.jira_key_field_id).trim() : '',
    botUserIds: String(settings.bot_user_ids || '').split(',').map((id) => id.trim()).filter(Boolean),
  };
}

function checkConfigured(settings) {
  let url = null;
  try {
    url = new URL(settings.sidecarUrl);
  } catch {
    url = null;
  }
  if (!url || !['https:', 'http:'].includes(url.protocol)) {
    throw new SidecarError({kind: ErrorKind.NOT_CONFIGURED, message: 'the sidecar URL setting is missing or not a URL'});
  }
  if (!settings.installationId) {
    throw new SidecarError({kind: ErrorKind.NOT_CONFIGURED, message: 'the installation id setting is missing'});
  }
}

/** The options object for client.request(); exported so tests can read exactly what is sent. */
export function buildRequestOptions(settings, {path, method = 'GET', body, idempotencyKey} = {}) {
  checkConfigured(settings);
  const headers = {};
  const options = {
    url: settings.sidecarUrl + path,
    type: method,
    secure: true,
    cors: false,
    httpCompleteResponse: true,
    headers,
  };
  if (settings.session) {
    // Zendesk signed who the agent is when it loaded this page; the session says so to the sidecar.
    options.secure = false;
    headers.Authorization = `Bearer ${settings.session}`;
  } else if (settings.authWithApiToken) {
    headers.Authorization = 'Bearer {{setting.api_token}}';
  } else {
    headers.Authorization = 'Bearer {{jwt.token}}';
    options.jwt = {
      algorithm: 'HS256',
      secret_key: '{{setting.shared_secret}}',
      expiry: JWT_EXPIRY_SECONDS,
      claims: {iss: settings.installationId},
    };
  }
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  if (body !== undefined) {
    options.contentType = 'application/json';
    options.data = JSON.stringify(body);
  }
  return options;
}

function parseJson(text) {
  if (typeof text !== 'string' || !text.trim()) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Whether ZAF handed over a complete response ({status, responseJSON, responseText}) rather than the body. */
function isCompleteResponse(response) {
  return Boolean(response) && typeof response === 'object' && ('responseJSON' in response || 'responseText' in response);
}

/** The parsed JSON body of a ZAF response, whatever form the framework handed it over in. */
export function responseBody(response) {
  if (isCompleteResponse(response)) {
    return response.responseJSON !== undefined && response.responseJSON !== null
      ? response.responseJSON
      : parseJson(response.responseText);
  }
  if (typeof response === 'string') return parseJson(response);
  return response ?? null;
}

/** Turn a rejected client.request() (a jqXHR-like object) into a SidecarError. */
export function classifyFailure(failure) {
  if (failure instanceof SidecarError) return failure;
  const status = Number(failure && failure.status) || 0;
  const body = responseBody(failure);
  const error = body && typeof body === 'object' && body.error && typeof body.error === 'object' ? body.error : null;
  const code = error && typeof error.code === 'string' ? error.code : null;
  const message = (error && typeof error.message === 'string' && error.message)
    || (failure && typeof failure.statusText === 'string' && failure.statusText !== 'error' ? failure.statusText : '')
    || (failure instanceof Error ? failure.message : '');
  const details = error ? error.details ?? null : null;
  let kind;
  if (status === 0) kind = ErrorKind.UNREACHABLE;
  else if (code && code.startsWith('upstream_')) kind = ErrorKind.UPSTREAM;
  else if (status >= 500) kind = ErrorKind.UNAVAILABLE;
  else if (status === 401) kind = ErrorKind.NOT_CONFIGURED;
  else if (status === 403) kind = ErrorKind.FORBIDDEN;
  else if (status === 404) kind = ErrorKind.NOT_FOUND;
  else if (status === 429) kind = ErrorKind.RATE_LIMITED;
  else if (status >= 400) kind = ErrorKind.INVALID;
  else kind = ErrorKind.UNEXPECTED;
  return new SidecarError({kind, status, code, message: message || `HTTP ${status}`, details});
}

/** The first field problems of an `invalid_input` error, as "field: problem" text. */
export function describeDetails(details) {
  if (!details || typeof details !== 'object') return '';
  const parts = [];
  const walk = (value, path) => {
    if (parts.length >= 3) return;
    if (Array.isArray(value)) {
      if (value.every((item) => typeof item === 'string')) parts.push(`${path}: ${value.join(' ')}`);
      else value.forEach((item, index) => walk(item, `${path}[${index}]`));
    } else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) walk(inner, path ? `${path}.${key}` : key);
    } else if (value !== null && value !== undefined) {
      parts.push(path ? `${path}: ${value}` : String(value));
    }
  };
  walk(details, '');
  return parts.join('; ');
}

function withTimeout(promise, ms) {
  if (!ms) return promise;
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new SidecarError({kind: ErrorKind.UNREACHABLE, status: 0, message: 'the sidecar did not answer in time'})), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * One call to the sidecar: {path, method, body, idempotencyKey} -> {status, body}.
 * Settings come from client.metadata(); throws SidecarError.
 */
export async function sidecarRequest(client, {path, method = 'GET', body, idempotencyKey, timeoutMs = REQUEST_TIMEOUT_MS} = {}) {
  const settings = await sidecarSettings(client);
  const options = buildRequestOptions(settings, {path, method, body, idempotencyKey});
  let response;
  try {
    response = await withTimeout(Promise.resolve(client.request(options)), timeoutMs);
  } catch (failure) {
    throw classifyFailure(failure);
  }
  // Without httpCompleteResponse support the body comes alone and the status is unknown (null).
  const status = isCompleteResponse(response) && Number.isFinite(Number(response.status)) ? Number(response.status) : null;
  return {status, body: responseBody(response)};
}

/** A fresh Idempotency-Key for one escalation attempt (kept across retries of that attempt). */
export function newIdempotencyKey() {
  if (globalThis.crypto && typeof globalThis.crypto.randomUUID === 'function') return `zaf-${globalThis.crypto.randomUUID()}`;
  return `zaf-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

const segment = (value) => encodeURIComponent(String(value));

function itemsOf(body) {
  if (Array.isArray(body)) return body;
  return body && Array.isArray(body.items) ? body.items : [];
}

/** The sidecar's HTTP API as the sidebar and the nav bar dashboard use it, bound to one ZAF client. */
export function createSidecarApi(client, {timeoutMs = REQUEST_TIMEOUT_MS} = {}) {
  const call = async (options) => (await sidecarRequest(client, {timeoutMs, ...options})).body;
  return {
    /** POST /v1/assessments {"ticket"} -> the stored assessment (score, signals, route, similar). */
    assess: (ticket) => call({path: '/v1/assessments', method: 'POST', body: {ticket}}),
    /** POST /v1/escalations/preview -> {summary, description_text, priority, labels, team, expert, suggestion, slack_text}. */
    previewEscalation: (body) => call({path: '/v1/escalations/preview', method: 'POST', body}),
    /** POST /v1/escalations with an Idempotency-Key -> {created: false only for a 200 (already open), escalation}. */
    escalate: async (body, idempotencyKey) => {
      const {status, body: escalation} = await sidecarRequest(client, {
        path: '/v1/escalations', method: 'POST', body, idempotencyKey, timeoutMs,
      });
      return {created: status !== 200, escalation};
    },
    /** GET /v1/escalations?source=zendesk&ticket_id=&limit=1 -> the newest escalation of the ticket, or null. */
    latestEscalation: async (ticketId) => {
      const query = new URLSearchParams({source: 'zendesk', ticket_id: String(ticketId), limit: '1'});
      return itemsOf(await call({path: `/v1/escalations?${query}`}))[0] || null;
    },
    /** GET /v1/escalations/<id> -> the escalation with its steps, links, summary and timeline. */
    escalation: (id) => call({path: `/v1/escalations/${segment(id)}`}),
    /** GET /v1/teams -> [team]. */
    teams: async () => itemsOf(await call({path: '/v1/teams'})),
    /** GET /v1/experts -> [expert]. */
    experts: async () => itemsOf(await call({path: '/v1/experts'})),
    /** GET /v1/analytics/summary?from=&to= -> counts, breakdowns and percentiles over the range (dates YYYY-MM-DD). */
    analyticsSummary: ({from, to}) => call({path: `/v1/analytics/summary?${new URLSearchParams({from, to})}`}),
    /** GET /v1/analytics/timeseries?metric=&interval=&from=&to= -> {points: [{period, count[, p50, p90]}]}. */
    analyticsTimeseries: ({metric, interval, from, to}) => call({
      path: `/v1/analytics/timeseries?${new URLSearchParams({metric, interval, from, to})}`,
    }),
    /** POST /v1/assessments/<id>/feedback {"rating": "right"|"wrong", "note", "agent"}. */
    rate: (assessmentId, rating, note = '', agent = null) => call({
      path: `/v1/assessments/${segment(assessmentId)}/feedback`,
      method: 'POST',
      body: {rating, note, agent},
    }),
  };
}
