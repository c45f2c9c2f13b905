// Strings for the sidebar: translations/<locale>.json, looked up by dotted key ("ui.preview.confirm").
//
// The packaged app serves assets/ only, so package.py copies translations/ into assets/translations/
// and the iframe finds them next to itself. In the source tree (zcli apps:server, the sidecar's
// preview page) they sit one level up; both places are tried.

export const DEFAULT_LOCALE = 'en';

const PLACEHOLDER = /\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g;

/** The locales to try for a Zendesk locale such as "de-CH": ["de-ch", "de", "en"]. */
export function localeCandidates(locale) {
  const wanted = String(locale || '').trim().toLowerCase().replace('_', '-');
  const candidates = [];
  if (wanted) {
    candidates.push(wanted);
    const language = wanted.split('-')[0];
    if (language && language !== wanted) candidates.push(language);
  }
  if (!candidates.includes(DEFAULT_LOCALE)) candidates.push(DEFAULT_LOCALE);
  return candidates;
}

/** The string at a dotted key in a translations object, or undefined. */
export function lookup(strings, key) {
  let node = strings;
  for (const part of String(key).split('.')) {
    if (node === null || typeof node !== 'object' || !(part in node)) return undefined;
    node = node[part];
  }
  // Zendesk's translation format also allows {"title": context, "value": text} leaves.
  if (node && typeof node === 'object' && typeof node.value === 'string') return node.value;
  return typeof node === 'string' ? node : undefined;
}

/** Replace {{name}} placeholders with values (missing values become ""). */
export function interpolate(text, values = {}) {
  return text.replace(PLACEHOLDER, (_, name) => (values[name] === undefined || values[name] === null ? '' : String(values[name])));
}

/**
 * A translate function: t(key, values) from `strings`, then `fallback` (English), then the key
 * itself so a missing string is visible rather than blank. t.has(key) says whether a key exists.
 */
export function createTranslator(strings, fallback = {}) {
  const t = (key, values) => {
    const text = lookup(strings, key) ?? lookup(fallback, key);
    return text === undefined ? key : interpolate(text, values);
  };
  t.has = (key) => lookup(strings, key) !== undefined || lookup(fallback, key) !== undefined;
  return t;
}

/** The URLs a locale file may be at, relative to the iframe's own URL. */
export function translationUrls(locale, baseUrl) {
  return [`translations/${locale}.json`, `../translations/${locale}.json`].map((path) => new URL(path, baseUrl).href);
}

async function fetchJson(fetchImpl, url) {
  try {
    const response = await fetchImpl(url, {credentials: 'same-origin'});
    if (!response.ok) return null;
    const data = await response.json();
    return data && typeof data === 'object' ? data : null;
  } catch {
    return null;
  }
}

async function loadLocale(locale, {fetchImpl, baseUrl}) {
  for (const url of translationUrls(locale, baseUrl)) {
    const data = await fetchJson(fetchImpl, url);
    if (data) return data;
  }
  return null;
}

/**
 * Load the strings for `locale` (falling back to its language, then English) and return
 * {locale, t}. English is always loaded too, so a string missing from a translation shows in English.
 */
export async function loadTranslator(locale, {fetchImpl = globalThis.fetch, baseUrl = globalThis.document?.baseURI} = {}) {
  const english = (await loadLocale(DEFAULT_LOCALE, {fetchImpl, baseUrl})) || {};
  for (const candidate of localeCandidates(locale)) {
    if (candidate === DEFAULT_LOCALE) break;
    const strings = await loadLocale(candidate, {fetchImpl, baseUrl});
    if (strings) return {locale: candidate, t: createTranslator(strings, english)};
  }
  return {locale: DEFAULT_LOCALE, t: createTranslator(english)};
}
