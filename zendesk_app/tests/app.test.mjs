// The entry point with the ZAFClient global stubbed, as the sidebar runs inside Zendesk.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {afterEach, describe, it} from 'node:test';
import {fileURLToPath} from 'node:url';

import {currentUser, startApp} from '../assets/app.js';
import {fakeDocument} from './support/fake-dom.mjs';
import {fakeClient, settle} from './support/fake-zaf.mjs';
import {assessment, zafData} from './support/fixtures.mjs';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** fetch() for the iframe: translations come from the source tree's translations/ (one level up). */
async function fetchFromDisk(url) {
  const path = new URL(url).pathname;
  if (!path.startsWith('/translations/')) return {ok: false, json: async () => ({})};
  try {
    const text = readFileSync(join(appDir, path), 'utf8');
    return {ok: true, json: async () => JSON.parse(text)};
  } catch {
    return {ok: false, json: async () => ({})};
  }
}

function sidecar(options) {
  if (options.url.endsWith('/v1/assessments')) return {status: 201, responseJSON: assessment};
  if (options.url.includes('/v1/escalations?')) return {status: 200, responseJSON: {items: []}};
  return {status: 404, responseJSON: {error: {code: 'not_found', message: 'no'}}};
}

function zendesk(locale = 'de') {
  return fakeClient({
    respond: sidecar,
    data: {...zafData(), 'currentUser.locale': locale, 'currentUser.id': 7001, 'currentUser.name': 'Marcus Okafor',
      'currentUser.email': 'marcus@acme.example'},
  });
}

describe('startApp', () => {
  it('renders the assessment in the agent\'s language and resizes the iframe to its content', async () => {
    const {doc, root} = fakeDocument();
    const client = zendesk('de');
    const controller = await startApp(client, {doc, root, fetchImpl: fetchFromDisk});
    assert.equal(doc.documentElement.getAttribute('lang'), 'de');
    assert.equal(root.querySelector('[data-test="level"]').textContent, 'Kritisch');
    assert.deepEqual(client.invocations.at(-1), ['resize', {height: '480px', width: '100%'}]);
    assert.equal(client.requests[0].url, 'https://sidecar.acme.example/v1/assessments');
    assert.ok(client.handlers['ticket.updated'] && client.handlers['ticket.comments.changed']);
    controller.stop();
  });
});

describe('currentUser', () => {
  it('reads the agent\'s id, name and email for escalated_by', async () => {
    assert.deepEqual(await currentUser(zendesk('en')),
      {locale: 'en', id: 7001, name: 'Marcus Okafor', email: 'marcus@acme.example'});
  });
});

describe('the ZAF bootstrap', () => {
  afterEach(() => {
    delete globalThis.window;
    delete globalThis.document;
  });

  it('calls ZAFClient.init() once and starts on app.registered', async () => {
    const {doc} = fakeDocument();
    const client = zendesk('en');
    let inits = 0;
    globalThis.window = {ZAFClient: {init: () => { inits += 1; return client; }}};
    globalThis.document = doc;
    const realFetch = globalThis.fetch;
    globalThis.fetch = fetchFromDisk;
    try {
      await import('../assets/app.js?bootstrap=1');
      await import('../assets/app.js?bootstrap=2'); // a second load of the script does not init again
      assert.equal(inits, 1);
      assert.equal(client.requests.length, 0); // nothing happens before the app is registered
      client.trigger('app.registered', {metadata: {}, context: {}});
      for (let i = 0; i < 20 && !doc.getElementById('app').querySelector('[data-test="score"]'); i += 1) await settle();
      assert.equal(doc.getElementById('app').querySelector('[data-test="score"]').textContent, '93 / 100');
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
