// The nav bar dashboard: data shaping, drawing (with a recording Chart stand-in), the admin gate, errors.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {afterEach, describe, it} from 'node:test';
import {fileURLToPath} from 'node:url';

import {activityChart, breakdownChart, dashboardData, defaultRange, headlineFigures, timingChart} from '../assets/analytics.js';
import {chartConfig, chartDescription, chartSpecs, formatDuration, render} from '../assets/dashboard.js';
import {createTranslator, lookup} from '../assets/i18n.js';
import {createDashboard, dashboardUser, isAdmin, startDashboard} from '../assets/nav_bar.js';
import {allElements, fakeDocument} from './support/fake-dom.mjs';
import {failure, fakeClient, settle, sidecarError} from './support/fake-zaf.mjs';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const english = JSON.parse(readFileSync(join(appDir, 'translations/en.json'), 'utf8'));
const german = JSON.parse(readFileSync(join(appDir, 'translations/de.json'), 'utf8'));
const t = createTranslator(english);

// The sidecar's answers, as the analytics contract describes them.
const summary = {
  from: '2026-11-07', to: '2026-12-06', timezone: 'UTC',
  assessments: {total: 4, by_level: {low: 1, medium: 1, high: 1, critical: 1}, recommended_escalation: 2},
  escalations: {total: 2, by_category: {none: 1, billing_refund: 1}, by_team: {Billing: 1, none: 1},
    by_status: {pending: 0, delivered: 1, failed: 0, resolved: 1}},
  time_to_acknowledge_seconds: {count: 1, p50: 120.0, p90: 5400.0},
  time_to_resolve_seconds: {count: 0, p50: null, p90: null},
  ack_sla_minutes: 30, ack_sla_breaches: 1,
  feedback: {right: 1, wrong: 1},
  suggested_expert_kept_rate: 0.5,
  delivery: {dead_jobs: 3, retried_jobs: 2},
};
const counts = (metric, values) => ({metric, interval: 'day', from: '2026-12-04', to: '2026-12-06', timezone: 'UTC',
  points: values.map((count, index) => ({period: `2026-12-0${index + 4}`, count}))});
const times = (metric, p50s) => ({metric, interval: 'day', points: p50s.map((p50, index) => ({
  period: `2026-12-0${index + 4}`, count: p50 === null ? 0 : 1, p50, p90: p50}))});
const series = {
  assessments: counts('assessments', [1, 0, 3]),
  escalations: counts('escalations', [0, 0, 2]),
  ack_time: times('ack_time', [null, 600, 120]),
  resolve_time: times('resolve_time', [null, null, 7200]),
};

/** A Chart.js stand-in recording what it was asked to draw. */
function recordingChart() {
  const drawn = [];
  class Chart {
    constructor(canvas, config) {
      this.canvas = canvas;
      this.config = config;
      this.destroyed = false;
      drawn.push(this);
    }

    destroy() {
      this.destroyed = true;
    }
  }
  return {Chart, drawn};
}

/** The sidecar answering every analytics call, or `fail` for the summary. */
function sidecar({fail = null} = {}) {
  return (options) => {
    const url = new URL(options.url);
    if (url.pathname === '/v1/analytics/summary') {
      if (fail) throw fail;
      return {status: 200, responseJSON: summary};
    }
    if (url.pathname === '/v1/analytics/timeseries') return {status: 200, responseJSON: series[url.searchParams.get('metric')]};
    return {status: 404, responseJSON: sidecarError('not_found', 'no such path')};
  };
}

async function fetchFromDisk(url) {
  const path = new URL(url).pathname;
  if (!path.startsWith('/translations/')) return {ok: false, json: async () => ({})};
  return {ok: true, json: async () => JSON.parse(readFileSync(join(appDir, path), 'utf8'))};
}

function zendesk({role = 'admin', locale = 'en', respond = sidecar()} = {}) {
  return fakeClient({respond, data: {currentUser: {id: 7001, name: 'Avery Admin', role, locale}}});
}

const fixedNow = () => new Date('2026-12-06T15:00:00Z');

describe('shaping the analytics answers', () => {
  it('turns the summary into the headline figures', () => {
    const figures = Object.fromEntries(headlineFigures(summary).map((figure) => [figure.id, figure]));
    assert.deepEqual(Object.keys(figures), ['assessments', 'escalations', 'ack_p50', 'ack_p90', 'resolve_p50', 'sla_breaches',
      'feedback_right', 'feedback_wrong', 'expert_kept', 'dead_jobs']);
    assert.equal(figures.assessments.value, 4);
    assert.deepEqual(figures.assessments.detail, {recommended: 2});
    assert.equal(figures.escalations.value, 2);
    assert.equal(figures.ack_p50.value, 120);
    assert.equal(figures.ack_p90.value, 5400);
    assert.equal(figures.resolve_p50.value, null); // nothing resolved yet: "no data", not 0
    assert.equal(figures.sla_breaches.value, 1);
    assert.deepEqual([figures.feedback_right.value, figures.feedback_wrong.value], [1, 1]);
    assert.equal(figures.expert_kept.value, 0.5);
    assert.equal(figures.dead_jobs.value, 3);
  });

  it('copes with an empty or partial summary', () => {
    const figures = headlineFigures({});
    assert.equal(figures.find((figure) => figure.id === 'assessments').value, 0);
    assert.equal(figures.find((figure) => figure.id === 'expert_kept').value, null);
    assert.equal(figures.find((figure) => figure.id === 'ack_p50').value, null);
  });

  it('puts assessments and escalations per period side by side, a missing period counting 0', () => {
    const gappy = {points: [{period: '2026-12-06', count: 2}]};
    assert.deepEqual(activityChart(series.assessments, gappy), {
      periods: ['2026-12-04', '2026-12-05', '2026-12-06'],
      datasets: [{id: 'assessments', data: [1, 0, 3]}, {id: 'escalations', data: [0, 0, 2]}],
    });
  });

  it('charts median times in minutes, null where nothing was measured', () => {
    assert.deepEqual(timingChart(series.ack_time, counts('resolve_time', [0, 0, 0])), {
      periods: ['2026-12-04', '2026-12-05', '2026-12-06'], unit: 'minutes',
      datasets: [{id: 'ack_p50', data: [null, 10, 2]}, {id: 'resolve_p50', data: [null, null, null]}],
    });
    // Three hours or more: hours read better; under two minutes, seconds.
    assert.deepEqual(timingChart(series.ack_time, times('resolve_time', [null, null, 4 * 3600])).datasets[1].data, [null, null, 4]);
    const quick = timingChart(times('ack_time', [null, 5, 42]), null);
    assert.deepEqual([quick.unit, quick.datasets[0].data], ['seconds', [null, 5, 42]]);
  });

  it('orders breakdowns: levels and statuses in their order, others largest first, "none" last', () => {
    assert.deepEqual(breakdownChart({critical: 1, low: 3, high: 0, medium: 2}, ['low', 'medium', 'high', 'critical']),
      {names: ['low', 'medium', 'high', 'critical'], data: [3, 2, 0, 1]});
    assert.deepEqual(breakdownChart({none: 5, Legal: 1, Billing: 3, Accounts: 1}),
      {names: ['Billing', 'Accounts', 'Legal', 'none'], data: [3, 1, 1, 5]});
    assert.deepEqual(breakdownChart(null), {names: [], data: []});
  });

  it('defaults to the 30 days ending today (UTC)', () => {
    assert.deepEqual(defaultRange(new Date('2026-12-06T23:30:00Z')), {from: '2026-11-07', to: '2026-12-06'});
  });

  it('builds Chart.js datasets with labels in words', () => {
    const specs = chartSpecs(dashboardData(summary, series), {t, locale: 'en', interval: 'day'});
    assert.deepEqual(specs.map((spec) => spec.id), ['activity', 'timing', 'by_level', 'by_status', 'by_category', 'by_team']);
    const activity = chartConfig(specs[0]);
    assert.equal(activity.type, 'line');
    assert.deepEqual(activity.data.labels, ['Dec 4', 'Dec 5', 'Dec 6']);
    assert.deepEqual(activity.data.datasets.map((set) => [set.label, set.data]),
      [['Assessments', [1, 0, 3]], ['Escalations', [0, 0, 2]]]);
    assert.equal(activity.options.animation, false);
    const byCategory = chartConfig(specs[4]);
    assert.equal(byCategory.options.indexAxis, 'y');
    assert.deepEqual(byCategory.data.labels, ['Billing and refunds', 'No category']);
    assert.deepEqual(chartConfig(specs[2]).data.labels, ['Low', 'Medium', 'High', 'Critical']);
    assert.deepEqual(chartConfig(specs[5]).data.labels, ['Billing', 'No team']);
    assert.equal(chartConfig(specs[1]).options.scales.y.title.text, 'minutes');
  });

  it('describes each chart in words for screen readers', () => {
    const [activity, timing, byLevel] = chartSpecs(dashboardData(summary, series), {t});
    assert.equal(chartDescription(activity, t),
      'Assessments and escalations per day. Assessments: 4 in total; Escalations: 2 in total. The numbers are also in a table below the chart.');
    assert.match(chartDescription(timing, t), /Acknowledge \(median\): 2 to 10 minutes; Resolve \(median\): 120 minutes\./);
    assert.match(chartDescription(byLevel, t), /Assessments by level\. Low 1, Medium 1, High 1, Critical 1\./);
  });

  it('says durations in words', () => {
    assert.equal(formatDuration(null, t), 'no data');
    assert.equal(formatDuration(45, t), '45 s');
    assert.equal(formatDuration(120, t), '2 min');
    assert.equal(formatDuration(3 * 3600 + 300, t), '3 h 5 min');
    assert.equal(formatDuration(7200, t), '2 h');
    assert.equal(formatDuration(50 * 3600, t), '2 d 2 h');
  });

  it('has every dashboard string in every language', () => {
    const keys = (node, prefix = '') => Object.entries(node).flatMap(([key, value]) => (
      typeof value === 'object' ? keys(value, `${prefix}${key}.`) : [`${prefix}${key}`]));
    const wanted = keys(english.ui.dashboard);
    assert.deepEqual(keys(german.ui.dashboard), wanted);
    // Keys built at run time (`ui.dashboard.figure.${id}`, charts, series, intervals) all exist.
    const specs = chartSpecs(dashboardData(summary, series), {t});
    for (const spec of specs) assert.ok(lookup(english, `ui.dashboard.chart.${spec.id === 'activity' ? 'activity_day' : spec.id}`), spec.id);
    for (const figure of headlineFigures(summary)) assert.ok(lookup(english, `ui.dashboard.figure.${figure.id}`), figure.id);
  });
});

describe('drawing the dashboard', () => {
  it('shows the headline numbers and one drawn chart per spec, each with a table of its numbers', async () => {
    const {doc, root} = fakeDocument();
    const {Chart, drawn} = recordingChart();
    const client = zendesk();
    const dashboard = await startDashboard(client, {doc, root, fetchImpl: fetchFromDisk, Chart, now: fixedNow});
    assert.equal(dashboard.state.phase, 'ready');
    const value = (id) => root.querySelector(`[data-figure="${id}"] [data-test="figure-value"]`).textContent;
    assert.equal(value('assessments'), '4');
    assert.equal(value('escalations'), '2');
    assert.equal(value('ack_p50'), '2 min');
    assert.equal(value('ack_p90'), '1 h 30 min');
    assert.equal(value('resolve_p50'), 'no data');
    assert.equal(value('sla_breaches'), '1');
    assert.equal(value('feedback_right'), '1');
    assert.equal(value('feedback_wrong'), '1');
    assert.equal(value('expert_kept'), '50%');
    assert.equal(value('dead_jobs'), '3');
    assert.deepEqual(drawn.map((chart) => chart.canvas.parentNode.parentNode.getAttribute('data-chart')),
      ['activity', 'timing', 'by_level', 'by_status', 'by_category', 'by_team']);
    for (const chart of drawn) {
      assert.equal(chart.canvas.getAttribute('role'), 'img');
      assert.ok(chart.canvas.getAttribute('aria-label').length > 20);
    }
    const table = root.querySelector('figure[data-chart="by_team"] table');
    assert.deepEqual(table.querySelectorAll('tbody tr').map((row) => row.textContent), ['Billing1', 'No team1']);
    // The five calls go through api.js's signed request, with the default range.
    assert.deepEqual(client.requests.map((options) => new URL(options.url).pathname + new URL(options.url).search), [
      '/v1/analytics/summary?from=2026-11-07&to=2026-12-06',
      ...['assessments', 'escalations', 'ack_time', 'resolve_time'].map(
        (metric) => `/v1/analytics/timeseries?metric=${metric}&interval=day&from=2026-11-07&to=2026-12-06`),
    ]);
    for (const options of client.requests) {
      assert.equal(options.secure, true);
      assert.equal(options.headers.Authorization, 'Bearer {{jwt.token}}');
      assert.equal(options.jwt.claims.iss, 'inst_123');
    }
  });

  it('loads the range and interval the admin picks, redrawing the charts', async () => {
    const {doc, root} = fakeDocument();
    const {Chart, drawn} = recordingChart();
    const client = zendesk();
    await startDashboard(client, {doc, root, fetchImpl: fetchFromDisk, Chart, now: fixedNow});
    const first = [...drawn];
    root.querySelector('#dash-from').value = '2026-10-01';
    root.querySelector('#dash-to').value = '2026-10-31';
    root.querySelector('#dash-interval').value = 'week';
    root.querySelector('#dash-show').focus();
    const event = root.querySelector('[data-test="range-form"]').dispatch('submit');
    assert.equal(event.defaultPrevented, true);
    await settle();
    assert.ok(first.every((chart) => chart.destroyed));
    assert.equal(drawn.length, 12);
    assert.match(client.requests.at(-1).url, /metric=resolve_time&interval=week&from=2026-10-01&to=2026-10-31$/);
    assert.equal(root.querySelector('[data-test="subtitle"]').textContent.endsWith('2026-10-01 to 2026-10-31 (UTC days).'), true);
    assert.equal(root.querySelector('figcaption#chart-activity').textContent, 'Assessments and escalations per week');
    assert.equal(doc.activeElement, root.querySelector('#dash-show')); // focus survives the redraw
    assert.match(root.querySelector('[data-test="live-status"]').textContent, /4 assessments, 2 escalations/);
  });

  it('says so in words when nothing was acknowledged or resolved, rather than drawing an empty grid', () => {
    const {root} = fakeDocument();
    const {Chart, drawn} = recordingChart();
    const unmeasured = {...series, ack_time: times('ack_time', [null, null, null]), resolve_time: times('resolve_time', [null, null, null])};
    const state = {phase: 'ready', range: {from: '2026-12-04', to: '2026-12-06'}, interval: 'day', data: dashboardData(summary, unmeasured)};
    render(root, state, {t, actions: {}, Chart});
    assert.equal(root.querySelector('figure[data-chart="timing"] [data-test="chart-empty"]').textContent,
      'No escalation in this range was acknowledged or resolved yet.');
    assert.equal(root.querySelector('figure[data-chart="timing"] canvas'), null);
    assert.equal(drawn.length, 5);
  });

  it('still shows every number as a table when Chart.js did not load', () => {
    const {root} = fakeDocument();
    const state = {phase: 'ready', range: {from: '2026-12-04', to: '2026-12-06'}, interval: 'day', data: dashboardData(summary, series)};
    render(root, state, {t, actions: {}, Chart: null});
    assert.equal(root.querySelectorAll('figure[data-test="chart"]').length, 6);
    assert.equal(root.querySelectorAll('table').length, 6);
    assert.ok(allElements(root).every((element) => element.tagName !== 'SCRIPT'));
  });
});

describe('the admin gate', () => {
  it('reads the role from client.get("currentUser")', async () => {
    assert.deepEqual(await dashboardUser(zendesk({role: 'agent', locale: 'de'})), {locale: 'de', role: 'agent', name: 'Avery Admin'});
    assert.equal(isAdmin({role: 'admin'}), true);
    for (const role of ['agent', 'end-user', 360001, null]) assert.equal(isAdmin({role}), false);
  });

  it('shows agents a short note and asks the sidecar nothing', async () => {
    const {doc, root} = fakeDocument();
    const client = zendesk({role: 'agent'});
    const dashboard = await startDashboard(client, {doc, root, fetchImpl: fetchFromDisk, Chart: recordingChart().Chart});
    assert.equal(dashboard, null);
    assert.match(root.querySelector('[data-test="admin-only"]').textContent, /for Zendesk admins/);
    assert.equal(root.querySelector('[data-test="figures"]'), null);
    assert.equal(client.requests.length, 0);
  });

  it('speaks the admin\'s language', async () => {
    const {doc, root} = fakeDocument();
    await startDashboard(zendesk({role: 'agent', locale: 'de-DE'}), {doc, root, fetchImpl: fetchFromDisk});
    assert.equal(doc.documentElement.getAttribute('lang'), 'de');
    assert.match(root.querySelector('[data-test="admin-only"]').textContent, /Zendesk-Administratoren/);
  });
});

describe('when the sidecar refuses', () => {
  it('says what was wrong with the range in words, from the 4xx error JSON, and offers to try again', async () => {
    const {doc, root} = fakeDocument();
    const refusal = failure(422, sidecarError('invalid_input', 'from must be on or before to', {from: ['after to']}));
    const client = zendesk({respond: sidecar({fail: refusal})});
    const dashboard = await startDashboard(client, {doc, root, fetchImpl: fetchFromDisk, Chart: recordingChart().Chart});
    assert.equal(dashboard.state.phase, 'error');
    const banner = root.querySelector('[data-test="error-banner"]');
    assert.equal(banner.getAttribute('role'), 'alert');
    assert.equal(banner.getAttribute('data-error-kind'), 'invalid');
    assert.equal(root.querySelector('[data-test="error-message"]').textContent,
      'The sidecar could not accept this: from must be on or before to (from: after to)');
    assert.equal(root.querySelector('[data-test="figures"]'), null);
    const before = client.requests.length;
    root.querySelector('[data-test="retry"]').click();
    await settle();
    assert.equal(client.requests.length, before + 5);
  });

  it('tells a refused credential and an unreachable sidecar apart', async () => {
    for (const [answer, kind, text] of [
      [failure(403, sidecarError('forbidden', 'scope agent cannot read this')), 'forbidden', /do not have permission/],
      [failure(0, undefined), 'unreachable', /cannot be reached/],
      [failure(503, 'Service Unavailable'), 'unavailable', /having trouble/],
    ]) {
      const {doc, root} = fakeDocument();
      await startDashboard(zendesk({respond: sidecar({fail: answer})}), {doc, root, fetchImpl: fetchFromDisk});
      assert.equal(root.querySelector('[data-test="error-banner"]').getAttribute('data-error-kind'), kind);
      assert.match(root.querySelector('[data-test="error-message"]').textContent, text);
    }
  });

  it('lets the latest load win when an earlier one answers late', async () => {
    const answers = [];
    const api = {
      analyticsSummary: () => new Promise((resolve) => answers.push(() => resolve(summary))),
      analyticsTimeseries: async ({metric}) => series[metric],
    };
    const states = [];
    const dashboard = createDashboard({api, render: (state) => states.push(state), now: fixedNow});
    const slow = dashboard.actions.load({from: '2026-01-01', to: '2026-01-31'}, 'day');
    const fast = dashboard.actions.load({from: '2026-02-01', to: '2026-02-28'}, 'week');
    answers[1]();
    await fast;
    answers[0]();
    await slow;
    assert.equal(dashboard.state.phase, 'ready');
    assert.deepEqual(dashboard.state.range, {from: '2026-02-01', to: '2026-02-28'});
    assert.equal(states.filter((state) => state.phase === 'ready').length, 1);
  });
});

describe('the nav bar bootstrap', () => {
  afterEach(() => {
    delete globalThis.window;
    delete globalThis.document;
  });

  it('calls ZAFClient.init() once and starts on app.registered, with Chart.js from the page', async () => {
    const {doc} = fakeDocument();
    const client = zendesk();
    const {Chart, drawn} = recordingChart();
    let inits = 0;
    globalThis.window = {ZAFClient: {init: () => { inits += 1; return client; }}};
    globalThis.document = doc;
    const realFetch = globalThis.fetch;
    const realChart = globalThis.Chart;
    globalThis.fetch = fetchFromDisk;
    globalThis.Chart = Chart; // what vendor/chartjs/chart.umd.js defines before nav_bar.js runs
    try {
      await import('../assets/nav_bar.js?bootstrap=1');
      await import('../assets/nav_bar.js?bootstrap=2');
      assert.equal(inits, 1);
      assert.equal(client.requests.length, 0);
      client.trigger('app.registered', {metadata: {}, context: {}});
      for (let i = 0; i < 20 && drawn.length < 6; i += 1) await settle();
      assert.equal(drawn.length, 6);
      assert.equal(doc.getElementById('app').querySelector('[data-figure="assessments"] [data-test="figure-value"]').textContent, '4');
    } finally {
      globalThis.fetch = realFetch;
      globalThis.Chart = realChart;
    }
  });
});
