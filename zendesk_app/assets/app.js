// The sidebar's entry point: ZAFClient.init() once, start on app.registered, re-assess when the
// ticket changes, resize the iframe to its content after every render.

import {createSidecarApi, sidecarSettings} from './api.js';
import {createController} from './flow.js';
import {loadTranslator} from './i18n.js';
import {readTicket} from './ticket.js';
import {render} from './view.js';

/** Ask Zendesk to size the sidebar iframe to the page's content. */
export function resizeToContent(client, doc) {
  return client.invoke('resize', {height: `${doc.body.scrollHeight}px`, width: '100%'});
}

/** The agent using the sidebar, as ZAF reports them: {locale, id, name, email}. */
export async function currentUser(client) {
  try {
    const data = await client.get(['currentUser.locale', 'currentUser.id', 'currentUser.name', 'currentUser.email']);
    return {
      locale: data['currentUser.locale'] || 'en',
      id: data['currentUser.id'] ?? null,
      name: data['currentUser.name'] || null,
      email: data['currentUser.email'] || null,
    };
  } catch {
    return {locale: 'en', id: null, name: null, email: null};
  }
}

/** Wire the sidebar to a registered ZAF client; returns the controller. */
export async function startApp(client, {doc = globalThis.document, root = doc.getElementById('app'), fetchImpl = globalThis.fetch} = {}) {
  const user = await currentUser(client);
  const {t, locale} = await loadTranslator(user.locale, {fetchImpl, baseUrl: doc.baseURI});
  doc.documentElement.setAttribute('lang', locale);
  const settings = await sidecarSettings(client);
  const resize = () => Promise.resolve(resizeToContent(client, doc)).catch(() => {});
  const controller = createController({
    client,
    api: createSidecarApi(client),
    settings,
    agentName: user.name,
    agent: {id: user.id, name: user.name, email: user.email},
    readTicket: (zafClient) => readTicket(zafClient, settings),
    render: (state, actions) => {
      render(root, state, {t, actions, locale, doc});
      resize();
    },
  });
  // <details> opening and closing changes the height without a render.
  root.addEventListener('toggle', resize, true);
  client.on('ticket.updated', () => controller.actions.ticketChanged());
  client.on('ticket.comments.changed', () => controller.actions.ticketChanged());
  await controller.start();
  return controller;
}

const zaf = globalThis.window && globalThis.window.ZAFClient;
if (zaf && !globalThis.window.__escalationSidecarStarted) {
  globalThis.window.__escalationSidecarStarted = true;
  const client = zaf.init();
  if (client) client.on('app.registered', () => { startApp(client); });
}
