import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {describe, it} from 'node:test';
import {fileURLToPath} from 'node:url';

import {createTranslator, interpolate, loadTranslator, localeCandidates, lookup} from '../assets/i18n.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const readJson = (path) => JSON.parse(readFileSync(join(appDir, path), 'utf8'));
const english = readJson('translations/en.json');

function leafKeys(node, prefix = '') {
  return Object.entries(node).flatMap(([key, value]) => (
    value && typeof value === 'object' ? leafKeys(value, `${prefix}${key}.`) : [`${prefix}${key}`]
  ));
}

describe('translations', () => {
  it('looks up dotted keys and interpolates {{values}}', () => {
    const t = createTranslator({ui: {hello: 'Hello {{name}}'}}, {ui: {bye: 'Bye'}});
    assert.equal(t('ui.hello', {name: 'Ana'}), 'Hello Ana');
    assert.equal(t('ui.bye'), 'Bye'); // from the English fallback
    assert.equal(t('ui.missing'), 'ui.missing');
    assert.equal(t.has('ui.hello'), true);
    assert.equal(lookup({a: {b: {title: 'context', value: 'text'}}}, 'a.b'), 'text');
    assert.equal(interpolate('{{a}}-{{b}}', {a: 1}), '1-');
  });

  it('tries the full locale, then the language, then English', () => {
    assert.deepEqual(localeCandidates('de-CH'), ['de-ch', 'de', 'en']);
    assert.deepEqual(localeCandidates('en-US'), ['en-us', 'en']);
    assert.deepEqual(localeCandidates(undefined), ['en']);
  });

  it('loads translations/<locale>.json next to the iframe, or one level up in the source tree', async () => {
    const fetched = [];
    const fetchImpl = async (url) => {
      fetched.push(url);
      const path = new URL(url).pathname;
      if (path === '/translations/de.json') return {ok: true, json: async () => readJson('translations/de.json')};
      if (path === '/translations/en.json') return {ok: true, json: async () => english};
      return {ok: false, json: async () => ({})};
    };
    const {locale, t} = await loadTranslator('de-DE', {fetchImpl, baseUrl: 'https://app.example/assets/iframe.html'});
    assert.equal(locale, 'de');
    assert.equal(t('ui.preview.confirm'), 'Eskalieren');
    assert.ok(fetched.includes('https://app.example/assets/translations/de.json'));
    assert.ok(fetched.includes('https://app.example/translations/de.json'));
  });

  it('falls back to English for a locale without a file, and survives no files at all', async () => {
    const fetchImpl = async (url) => (url.endsWith('/en.json') ? {ok: true, json: async () => english} : {ok: false});
    const {locale, t} = await loadTranslator('ja', {fetchImpl, baseUrl: 'https://app.example/assets/iframe.html'});
    assert.equal(locale, 'en');
    assert.equal(t('ui.preview.confirm'), 'Escalate');
    const offline = await loadTranslator('en', {fetchImpl: async () => { throw new Error('offline'); }, baseUrl: 'https://app.example/'});
    assert.equal(offline.t('ui.preview.confirm'), 'ui.preview.confirm');
  });

  it('has the same keys in every locale file, none empty', () => {
    const keys = leafKeys(english).sort();
    for (const file of readdirSync(join(appDir, 'translations'))) {
      const strings = readJson(`translations/${file}`);
      assert.deepEqual(leafKeys(strings).sort(), keys, file);
      for (const key of keys) assert.ok(lookup(strings, key).trim(), `${file}: ${key} is empty`);
    }
  });

  it('has every "ui." key the sidebar code uses', () => {
    for (const file of readdirSync(join(appDir, 'assets')).filter((name) => name.endsWith('.js'))) {
      const source = readFileSync(join(appDir, 'assets', file), 'utf8');
      for (const [, key] of source.matchAll(/['"`](ui\.[a-z0-9_.]+[a-z0-9_])['"`]/g)) {
        // A key names a string, or a group of strings looked up by name (labelFor(t, 'ui.signals', name)).
        const node = key.split('.').reduce((at, part) => (at && typeof at === 'object' ? at[part] : undefined), english);
        assert.notEqual(node, undefined, `${file} uses ${key}, which en.json lacks`);
      }
    }
  });
});
