// A stand-in for the object ZAFClient.init() returns: records every call and answers from scripts.

export const DEFAULT_SETTINGS = {
  sidecar_url: 'https://sidecar.acme.example/',
  installation_id: 'inst_123',
  jira_key_field_id: 360001,
  bot_user_ids: '9001, 9002',
};

/**
 * fakeClient({settings, respond, data, invoke, set}):
 * - respond(options, calls) -> a value (resolved) or throws / returns a rejected promise, for client.request;
 * - data: what client.get returns for each path;
 * - invoke(name, ...args) / set(name, value): optional handlers (default: resolve {}).
 */
export function fakeClient({settings = DEFAULT_SETTINGS, respond = () => ({status: 200, responseJSON: {}}), data = {}, invoke, set} = {}) {
  const client = {
    requests: [],
    invocations: [],
    sets: [],
    gets: [],
    handlers: {},
    metadata: async () => ({appId: 1, installationId: 2, settings: {...settings}}),
    request(options) {
      client.requests.push(options);
      try {
        return Promise.resolve(respond(options, client.requests));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async get(paths) {
      const list = Array.isArray(paths) ? paths : [paths];
      client.gets.push(list);
      const result = {};
      for (const path of list) if (path in data) result[path] = data[path];
      return result;
    },
    async invoke(name, ...args) {
      client.invocations.push([name, ...args]);
      return invoke ? invoke(name, ...args) : {};
    },
    async set(name, value) {
      client.sets.push([name, value]);
      return set ? set(name, value) : {};
    },
    on(name, handler) {
      (client.handlers[name] = client.handlers[name] || []).push(handler);
    },
    trigger(name, payload) {
      for (const handler of client.handlers[name] || []) handler(payload);
    },
  };
  return client;
}

/** A jqXHR-like rejection as ZAF hands failed requests to .catch(). */
export function failure(status, body, statusText = 'error') {
  return {status, statusText, responseText: body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)};
}

/** The sidecar's error shape. */
export function sidecarError(code, message, details = {}) {
  return {error: {code, message, details}};
}

/** Manual timers: nothing runs until tick()/runAll(). */
export function fakeTimers() {
  let next = 1;
  const pending = new Map();
  return {
    pending,
    setTimeout(fn, ms) {
      const id = next++;
      pending.set(id, {fn, ms});
      return id;
    },
    clearTimeout(id) {
      pending.delete(id);
    },
    /** Run the timers that are due now (all currently pending), in order. */
    async runAll() {
      const due = [...pending.entries()];
      pending.clear();
      for (const [, {fn}] of due) await fn();
      await settle();
    },
    delays: () => [...pending.values()].map(({ms}) => ms),
  };
}

/** Let pending promise callbacks run. */
export async function settle(rounds = 10) {
  for (let i = 0; i < rounds; i += 1) await new Promise((resolve) => setImmediate(resolve));
}
