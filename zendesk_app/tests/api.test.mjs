import assert from 'node:assert/strict';
import {describe, it} from 'node:test';

import {
  buildRequestOptions, classifyFailure, createSidecarApi, ErrorKind, pageSession, sidecarRequest, sidecarSettings, SidecarError,
} from '../assets/api.js';
import {DEFAULT_SETTINGS, failure, fakeClient, sidecarError} from './support/fake-zaf.mjs';

const ok = (body, status = 200) => ({status, responseJSON: body, responseText: JSON.stringify(body)});

describe('sidecarRequest', () => {
  it('sends one signed, proxied request with the JSON body and the idempotency key', async () => {
    const client = fakeClient({respond: () => ok({id: 'esc_1'}, 202)});
    const result = await sidecarRequest(client, {path: '/v1/escalations', method: 'POST', body: {note: 'hi'}, idempotencyKey: 'key-1'});
    assert.deepEqual(result, {status: 202, body: {id: 'esc_1'}});
    assert.equal(client.requests.length, 1);
    assert.deepEqual(client.requests[0], {
      url: 'https://sidecar.acme.example/v1/escalations', // trailing slash of the setting removed
      type: 'POST',
      secure: true,
      cors: false,
      httpCompleteResponse: true,
      contentType: 'application/json',
      data: '{"note":"hi"}',
      headers: {Authorization: 'Bearer {{jwt.token}}', 'Idempotency-Key': 'key-1'},
      jwt: {algorithm: 'HS256', secret_key: '{{setting.shared_secret}}', expiry: 300, claims: {iss: 'inst_123'}},
    });
  });

  it('sends no body, content type or idempotency key on a GET', async () => {
    const client = fakeClient({respond: () => ok({items: []})});
    await sidecarRequest(client, {path: '/v1/teams'});
    const options = client.requests[0];
    assert.equal(options.type, 'GET');
    assert.equal(options.data, undefined);
    assert.equal(options.contentType, undefined);
    assert.deepEqual(options.headers, {Authorization: 'Bearer {{jwt.token}}'});
  });

  it('never puts a secret value in the options, only placeholders', async () => {
    const client = fakeClient({settings: {...DEFAULT_SETTINGS, shared_secret: 'leaked?'}, respond: () => ok({})});
    await sidecarRequest(client, {path: '/v1/teams'});
    assert.ok(!JSON.stringify(client.requests[0]).includes('leaked?'));
  });

  it('uses the secure API token instead of a JWT when the admin chose that', () => {
    const options = buildRequestOptions({sidecarUrl: 'https://s.example', installationId: 'inst_1', authWithApiToken: true}, {path: '/v1/teams'});
    assert.equal(options.headers.Authorization, 'Bearer {{setting.api_token}}');
    assert.equal(options.jwt, undefined);
    assert.equal(options.secure, true);
  });

  it('sends the agent session from a Zendesk-signed page load instead of a browser-made JWT', () => {
    const settings = {sidecarUrl: 'https://s.example', installationId: 'inst_1', session: 'ses_abc'};
    const options = buildRequestOptions(settings, {path: '/v1/teams'});
    assert.equal(options.headers.Authorization, 'Bearer ses_abc');
    assert.equal(options.jwt, undefined);
    assert.equal(options.secure, false);
  });

  it('reads the session from the page only when it is one', () => {
    const page = (content) => ({querySelector: (selector) => (selector === 'meta[name="sidecar-session"]' ? {content} : null)});
    assert.equal(pageSession(page('ses_abc')), 'ses_abc');
    assert.equal(pageSession(page('eyJhbGciOi')), '');
    assert.equal(pageSession({querySelector: () => null}), '');
    assert.equal(pageSession(undefined), '');
  });

  it('accepts a plain body (status unknown) as well as a complete response', async () => {
    const client = fakeClient({respond: () => ({id: 'esc_1', status: 'pending'})});
    assert.deepEqual(await sidecarRequest(client, {path: '/v1/escalations/esc_1'}), {status: null, body: {id: 'esc_1', status: 'pending'}});
    const text = fakeClient({respond: () => ({status: 201, responseText: '{"id": "asm_2"}'})});
    assert.deepEqual(await sidecarRequest(text, {path: '/x'}), {status: 201, body: {id: 'asm_2'}});
  });

  for (const [name, settings] of [
    ['no sidecar URL', {...DEFAULT_SETTINGS, sidecar_url: ''}],
    ['a sidecar URL that is not a URL', {...DEFAULT_SETTINGS, sidecar_url: 'sidecar.acme.example'}],
    ['no installation id', {...DEFAULT_SETTINGS, installation_id: '  '}],
  ]) {
    it(`says "not configured" without calling anything when there is ${name}`, async () => {
      const client = fakeClient({settings});
      await assert.rejects(sidecarRequest(client, {path: '/v1/teams'}), (error) => error instanceof SidecarError && error.kind === ErrorKind.NOT_CONFIGURED);
      assert.equal(client.requests.length, 0);
    });
  }

  it('gives up after the timeout and calls it unreachable', async () => {
    const client = fakeClient({respond: () => new Promise(() => {})});
    await assert.rejects(sidecarRequest(client, {path: '/v1/teams', timeoutMs: 5}), {kind: ErrorKind.UNREACHABLE, status: 0});
  });
});

describe('classifyFailure', () => {
  const cases = [
    ['no answer (status 0)', failure(0, undefined), ErrorKind.UNREACHABLE],
    ['a 500 without a body', failure(500, 'Internal Server Error'), ErrorKind.UNAVAILABLE],
    ['a 503 from the sidecar', failure(503, sidecarError('database_unavailable', 'the database is not reachable')), ErrorKind.UNAVAILABLE],
    ['an upstream failure', failure(502, sidecarError('upstream_error', 'Jira answered 500')), ErrorKind.UPSTREAM],
    ['a 401 invalid_token', failure(401, sidecarError('invalid_token', 'the token is not valid')), ErrorKind.NOT_CONFIGURED],
    ['a 403', failure(403, sidecarError('forbidden', 'not allowed')), ErrorKind.FORBIDDEN],
    ['a 404', failure(404, sidecarError('not_found', 'no escalation esc_9')), ErrorKind.NOT_FOUND],
    ['a 429', failure(429, sidecarError('rate_limited', 'slow down')), ErrorKind.RATE_LIMITED],
    ['a 422', failure(422, sidecarError('invalid_input', 'the request has invalid fields', {link_to: ['must be a Jira issue key such as ENG-123']})), ErrorKind.INVALID],
    ['a thrown Error', new Error('boom'), ErrorKind.UNREACHABLE],
  ];
  for (const [name, rejected, kind] of cases) {
    it(`classifies ${name} as ${kind}`, () => {
      assert.equal(classifyFailure(rejected).kind, kind);
    });
  }

  it("keeps the sidecar's code, message and field details", () => {
    const error = classifyFailure(failure(422, sidecarError('invalid_input', 'the request has invalid fields', {link_to: ['must be a Jira issue key such as ENG-123']})));
    assert.equal(error.status, 422);
    assert.equal(error.code, 'invalid_input');
    assert.equal(error.message, 'the request has invalid fields');
    assert.deepEqual(error.details, {link_to: ['must be a Jira issue key such as ENG-123']});
  });

  it('reads responseJSON when ZAF already parsed the body', () => {
    const error = classifyFailure({status: 401, responseJSON: sidecarError('token_expired', 'the token has expired')});
    assert.equal(error.kind, ErrorKind.NOT_CONFIGURED);
    assert.equal(error.code, 'token_expired');
  });

  it('survives a body that is not JSON', () => {
    const error = classifyFailure(failure(400, '<html>Bad Request</html>', 'Bad Request'));
    assert.equal(error.kind, ErrorKind.INVALID);
    assert.equal(error.message, 'Bad Request');
  });
});

describe('createSidecarApi', () => {
  function apiWith(respond) {
    const client = fakeClient({respond});
    return {client, api: createSidecarApi(client)};
  }

  it('assess posts the ticket to /v1/assessments', async () => {
    const {client, api} = apiWith(() => ok({id: 'asm_1', score: 0.5}, 201));
    assert.deepEqual(await api.assess({id: '1', subject: 'x'}), {id: 'asm_1', score: 0.5});
    assert.equal(client.requests[0].url, 'https://sidecar.acme.example/v1/assessments');
    assert.equal(client.requests[0].type, 'POST');
    assert.deepEqual(JSON.parse(client.requests[0].data), {ticket: {id: '1', subject: 'x'}});
  });

  it('previewEscalation posts the escalation body to /v1/escalations/preview', async () => {
    const {client, api} = apiWith(() => ok({summary: 'S'}));
    const body = {ticket: {id: '1'}, note: 'n', summary: 'S', team_id: 'team_1', expert_id: null, link_to: null};
    assert.deepEqual(await api.previewEscalation(body), {summary: 'S'});
    assert.equal(client.requests[0].url, 'https://sidecar.acme.example/v1/escalations/preview');
    assert.deepEqual(JSON.parse(client.requests[0].data), body);
    assert.equal(client.requests[0].headers['Idempotency-Key'], undefined);
  });

  it('escalate sends the Idempotency-Key and tells a new escalation (202) from an open one (200)', async () => {
    let status = 202;
    const {client, api} = apiWith(() => ok({id: 'esc_1'}, status));
    assert.deepEqual(await api.escalate({ticket: {id: '1'}, note: ''}, 'zaf-abc'), {created: true, escalation: {id: 'esc_1'}});
    status = 200;
    assert.deepEqual(await api.escalate({ticket: {id: '1'}, note: ''}, 'zaf-abc'), {created: false, escalation: {id: 'esc_1'}});
    const plain = apiWith(() => ({id: 'esc_1', status: 'pending'})); // no complete response: assume it is new
    assert.equal((await plain.api.escalate({ticket: {id: '1'}, note: ''}, 'zaf-abc')).created, true);
    assert.equal(client.requests[0].url, 'https://sidecar.acme.example/v1/escalations');
    assert.equal(client.requests[0].headers['Idempotency-Key'], 'zaf-abc');
  });

  it('latestEscalation asks for the newest escalation of the ticket', async () => {
    const {client, api} = apiWith(() => ok({items: [{id: 'esc_2'}]}));
    assert.deepEqual(await api.latestEscalation('48213'), {id: 'esc_2'});
    assert.equal(client.requests[0].url, 'https://sidecar.acme.example/v1/escalations?source=zendesk&ticket_id=48213&limit=1');
    assert.equal(client.requests[0].type, 'GET');
    const none = apiWith(() => ok({items: []}));
    assert.equal(await none.api.latestEscalation('48213'), null);
  });

  it('escalation(id) encodes the id into the path', async () => {
    const {client, api} = apiWith(() => ok({id: 'esc/1'}));
    await api.escalation('esc/1');
    assert.equal(client.requests[0].url, 'https://sidecar.acme.example/v1/escalations/esc%2F1');
  });

  it('teams and experts accept a list or {items}', async () => {
    const {client, api} = apiWith((options) => (options.url.endsWith('/v1/teams') ? ok([{id: 't1'}]) : ok({items: [{id: 'e1'}]})));
    assert.deepEqual(await api.teams(), [{id: 't1'}]);
    assert.deepEqual(await api.experts(), [{id: 'e1'}]);
    assert.deepEqual(client.requests.map((options) => options.url), [
      'https://sidecar.acme.example/v1/teams', 'https://sidecar.acme.example/v1/experts',
    ]);
  });

  it("rate posts the agent's verdict as feedback", async () => {
    const {client, api} = apiWith(() => ok({id: 'fb_1'}, 201));
    await api.rate('asm_1', 'wrong', 'it is a how-to question', 'Marcus Okafor');
    assert.equal(client.requests[0].url, 'https://sidecar.acme.example/v1/assessments/asm_1/feedback');
    assert.deepEqual(JSON.parse(client.requests[0].data), {rating: 'wrong', note: 'it is a how-to question', agent: 'Marcus Okafor'});
  });

  it('turns failures into SidecarErrors', async () => {
    const {api} = apiWith(() => Promise.reject(failure(403, sidecarError('forbidden', 'no'))));
    await assert.rejects(api.teams(), {name: 'SidecarError', kind: ErrorKind.FORBIDDEN, status: 403});
  });
});

describe('sidecarSettings', () => {
  it('reads the non-secure settings from client.metadata()', async () => {
    const settings = await sidecarSettings(fakeClient());
    assert.deepEqual(settings, {
      session: '',
      sidecarUrl: 'https://sidecar.acme.example',
      installationId: 'inst_123',
      authWithApiToken: false,
      jiraKeyFieldId: '360001',
      botUserIds: ['9001', '9002'],
    });
  });
});
