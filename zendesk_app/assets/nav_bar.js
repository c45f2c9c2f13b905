// The nav bar dashboard's entry point: ZAFClient.init() once, start on app.registered. Admins see the
// escalation analytics; anyone else sees a short note that the dashboard is for admins. The gate is
// presentation only: the sidecar's analytics endpoints also answer agent-scope credentials.

import {dashboardData, defaultRange, loadAnalytics} from './analytics.js';
import {createSidecarApi, ErrorKind, SidecarError} from './api.js';
import {render, renderAdminOnly} from './dashboard.js';
import {loadTranslator} from './i18n.js';

/** The Zendesk user looking at the nav bar: {locale, role, name} from client.get('currentUser'). */
export async function dashboardUser(client) {
  try {
    const data = await client.get('currentUser');
    const user = (data && data.currentUser) || {};
    return {locale: user.locale || 'en', role: user.role ?? null, name: user.name || null};
  } catch {
    return {locale: 'en', role: null, name: null};
  }
}

/** Whether ZAF says the user is a Zendesk admin (role "admin"; agents and custom roles are not). */
export function isAdmin(user) {
  return Boolean(user) && user.role === 'admin';
}

function asSidecarError(error) {
  if (error instanceof SidecarError) return error;
  return new SidecarError({kind: ErrorKind.UNEXPECTED, message: (error && error.message) || String(error)});
}

/**
 * The dashboard's state and its one action, load(range, interval): the summary and the four time
 * series are fetched together; a later load wins over an earlier one still under way.
 */
export function createDashboard({api, render: draw, now = () => new Date()}) {
  let state = {phase: 'idle', range: defaultRange(now()), interval: 'day', data: null, error: null};
  let latest = 0;
  const set = (patch) => {
    state = {...state, ...patch};
    draw(state, actions);
  };
  const actions = {
    async load(range = state.range, interval = state.interval) {
      latest += 1;
      const mine = latest;
      set({phase: 'loading', range: {from: range.from, to: range.to}, interval, error: null});
      try {
        const {summary, series} = await loadAnalytics(api, {...state.range, interval});
        if (mine === latest) set({phase: 'ready', data: dashboardData(summary, series)});
      } catch (error) {
        if (mine === latest) set({phase: 'error', data: null, error: asSidecarError(error)});
      }
    },
    retry: () => actions.load(),
  };
  return {actions, get state() { return state; }};
}

/** Wire the dashboard to a registered ZAF client; returns the dashboard, or null for a non-admin. */
export async function startDashboard(client, {
  doc = globalThis.document, root = doc.getElementById('app'), fetchImpl = globalThis.fetch,
  Chart = globalThis.Chart || null, now = () => new Date(),
} = {}) {
  const user = await dashboardUser(client);
  const {t, locale} = await loadTranslator(user.locale, {fetchImpl, baseUrl: doc.baseURI});
  doc.documentElement.setAttribute('lang', locale);
  if (!isAdmin(user)) {
    renderAdminOnly(root, {t, doc});
    return null;
  }
  const dashboard = createDashboard({
    api: createSidecarApi(client), now,
    render: (state, actions) => render(root, state, {t, actions, locale, doc, Chart}),
  });
  // Zendesk keeps a nav bar app's iframe alive while the admin works elsewhere: fresh numbers on return.
  client.on('pane.activated', () => dashboard.actions.load());
  await dashboard.actions.load();
  return dashboard;
}

const zaf = globalThis.window && globalThis.window.ZAFClient;
if (zaf && !globalThis.window.__escalationSidecarDashboardStarted) {
  globalThis.window.__escalationSidecarDashboardStarted = true;
  const client = zaf.init();
  if (client) client.on('app.registered', () => { startDashboard(client); });
}
