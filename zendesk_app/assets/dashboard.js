// The nav bar dashboard's DOM: the range form, headline figures and one figure per chart, each chart
// a Chart.js canvas with an aria-label saying what it shows and a table of the same numbers.
// Built with plain DOM calls (text nodes only, like view.js); Chart.js is handed in, so the tests
// pass a recording stand-in and a page without Chart.js still shows every table.

import {INTERVALS} from './analytics.js';
import {errorMessage, h, labelFor} from './view.js';

// Zendesk Garden colours, each at least 3:1 against white (WCAG 1.4.11 for graphics).
export const COLORS = Object.freeze({
  blue: '#1f73b7', red: '#cc3340', green: '#038153', orange: '#c4511b', crimson: '#8c232c',
  kale: '#04444d', purple: '#6a27b8', grey: '#5c6970', text: '#293239', rule: '#e9ebed',
});
const LEVEL_COLORS = {low: COLORS.green, medium: COLORS.orange, high: COLORS.red, critical: COLORS.crimson};
const STATUS_COLORS = {pending: COLORS.blue, delivered: COLORS.green, failed: COLORS.red, resolved: COLORS.kale};
const charts = new WeakMap(); // root -> the Chart.js instances drawn in it, destroyed before redrawing

/** A number in the admin's locale. */
export function formatNumber(value, locale = 'en') {
  try {
    return new Intl.NumberFormat(locale).format(value);
  } catch {
    return String(value);
  }
}

/** Seconds as words: "45 s", "12 min", "3 h 5 min", "2 d 4 h"; null is "no data". */
export function formatDuration(seconds, t) {
  if (seconds === null || seconds === undefined || !Number.isFinite(Number(seconds))) return t('ui.dashboard.no_data');
  const total = Math.max(0, Math.round(Number(seconds)));
  if (total < 60) return t('ui.dashboard.duration.seconds', {n: total});
  const minutes = Math.round(total / 60);
  if (minutes < 60) return t('ui.dashboard.duration.minutes', {n: minutes});
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    return minutes % 60 ? t('ui.dashboard.duration.hours_minutes', {h: hours, m: minutes % 60}) : t('ui.dashboard.duration.hours', {h: hours});
  }
  return t('ui.dashboard.duration.days_hours', {d: Math.floor(hours / 24), h: hours % 24});
}

/** A headline figure's value as text. */
export function figureText(figure, t, locale = 'en') {
  if (figure.kind === 'duration') return formatDuration(figure.value, t);
  if (figure.kind === 'rate') {
    return figure.value === null ? t('ui.dashboard.no_data') : `${formatNumber(Math.round(figure.value * 100), locale)}%`;
  }
  return formatNumber(figure.value, locale);
}

/** The small line under a headline figure ("2 recommended for escalation"), or ''. */
export function figureDetail(figure, t) {
  const detail = figure.detail || {};
  switch (figure.id) {
    case 'assessments': return t('ui.dashboard.detail.recommended', {count: detail.recommended});
    case 'ack_p50': case 'ack_p90': case 'resolve_p50': return t('ui.dashboard.detail.measured', {count: detail.count});
    case 'sla_breaches': return detail.minutes === null ? '' : t('ui.dashboard.detail.sla', {minutes: detail.minutes});
    case 'dead_jobs': return t('ui.dashboard.detail.retried', {count: detail.retried});
    default: return '';
  }
}

/** "2026-12-05" as a short date ("Dec 5"), or "week of Dec 1" for weekly periods. */
export function periodLabel(period, interval, locale = 'en', t = null) {
  const time = Date.parse(`${period}T00:00:00Z`);
  if (Number.isNaN(time)) return String(period);
  let text;
  try {
    text = new Intl.DateTimeFormat(locale, {month: 'short', day: 'numeric', timeZone: 'UTC'}).format(new Date(time));
  } catch {
    text = String(period);
  }
  return interval === 'week' && t ? t('ui.dashboard.week_of', {date: text}) : text;
}

/** The name of a breakdown bar: a level, status or category label, "none" in words, a team as it is. */
function breakdownName(t, prefix, name, noneKey) {
  if (name === 'none') return t(noneKey);
  return prefix ? labelFor(t, prefix, name) : name;
}

/** Every chart the dashboard draws, as plain data: [{id, kind, title, labels, unit, datasets: [{id, label, data, color(s)}]}]. */
export function chartSpecs(data, {t, locale = 'en', interval = 'day'}) {
  const periods = (shape) => shape.periods.map((period) => periodLabel(period, interval, locale, t));
  const unitKey = `ui.dashboard.unit.${data.timing.unit}`;
  const breakdown = (id, shape, prefix, noneKey, colors) => ({
    id, kind: id === 'by_level' || id === 'by_status' ? 'bar' : 'hbar', title: t(`ui.dashboard.chart.${id}`),
    labels: shape.names.map((name) => breakdownName(t, prefix, name, noneKey)), unit: null,
    datasets: [{id, label: t('ui.dashboard.series.count'), data: shape.data,
      colors: shape.names.map((name) => (colors && colors[name]) || COLORS.blue)}],
  });
  return [
    {id: 'activity', kind: 'line', title: t(`ui.dashboard.chart.activity_${interval}`), labels: periods(data.activity), unit: null,
      datasets: data.activity.datasets.map((set) => ({...set, label: t(`ui.dashboard.series.${set.id}`),
        color: set.id === 'assessments' ? COLORS.blue : COLORS.red}))},
    {id: 'timing', kind: 'line', title: t('ui.dashboard.chart.timing'), labels: periods(data.timing), unit: t(unitKey),
      emptyText: t('ui.dashboard.no_timing'),
      datasets: data.timing.datasets.map((set) => ({...set, label: t(`ui.dashboard.series.${set.id}`),
        color: set.id === 'ack_p50' ? COLORS.purple : COLORS.green}))},
    breakdown('by_level', data.byLevel, 'ui.level', 'ui.dashboard.none', LEVEL_COLORS),
    breakdown('by_status', data.byStatus, 'ui.escalation.status', 'ui.dashboard.none', STATUS_COLORS),
    breakdown('by_category', data.byCategory, 'ui.categories', 'ui.dashboard.no_category', null),
    breakdown('by_team', data.byTeam, null, 'ui.dashboard.no_team', {none: COLORS.grey}),
  ];
}

function cellText(value, t, locale) {
  return value === null || value === undefined ? t('ui.dashboard.no_data') : formatNumber(value, locale);
}

/** What a screen reader hears for a chart: its title and, per series, the total or each bar. */
export function chartDescription(spec, t, locale = 'en') {
  const parts = spec.datasets.map((set) => {
    if (spec.kind !== 'line') {
      const bars = spec.labels.map((label, index) => `${label} ${cellText(set.data[index], t, locale)}`);
      return bars.length ? bars.join(', ') : t('ui.dashboard.empty');
    }
    const values = set.data.filter((value) => value !== null && value !== undefined);
    if (!values.length) return `${set.label}: ${t('ui.dashboard.no_data')}`;
    if (spec.unit) {
      const [low, high] = [Math.min(...values), Math.max(...values)].map((value) => formatNumber(value, locale));
      return `${set.label}: ${low === high ? `${low} ${spec.unit}` : t('ui.dashboard.range_of', {low, high, unit: spec.unit})}`;
    }
    return `${set.label}: ${t('ui.dashboard.total_of', {total: formatNumber(values.reduce((a, b) => a + b, 0), locale)})}`;
  });
  return `${spec.title}. ${parts.join('; ')}. ${t('ui.dashboard.table_follows')}`;
}

/** The Chart.js configuration of a spec (no animation: the picture is complete as soon as it is drawn). */
export function chartConfig(spec) {
  const line = spec.kind === 'line';
  const axis = (extra = {}) => ({ticks: {color: COLORS.grey, precision: spec.unit ? undefined : 0}, grid: {color: COLORS.rule}, ...extra});
  const valueAxis = axis({beginAtZero: true, title: spec.unit ? {display: true, text: spec.unit, color: COLORS.grey} : {display: false}});
  const categoryAxis = line ? axis({ticks: {color: COLORS.grey, maxRotation: 0, autoSkipPadding: 16}}) : axis();
  return {
    type: line ? 'line' : 'bar',
    data: {
      labels: spec.labels,
      datasets: spec.datasets.map((set) => ({
        label: set.label, data: set.data, spanGaps: true, tension: 0, pointRadius: 3, borderWidth: line ? 2 : 0,
        borderColor: set.color || set.colors, backgroundColor: set.color || set.colors, maxBarThickness: 36,
      })),
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false, indexAxis: spec.kind === 'hbar' ? 'y' : 'x',
      plugins: {legend: {display: spec.datasets.length > 1, labels: {color: COLORS.text}}},
      scales: spec.kind === 'hbar' ? {x: valueAxis, y: categoryAxis} : {x: categoryAxis, y: valueAxis},
    },
  };
}

function table(doc, spec, t, locale) {
  const header = spec.kind === 'line' ? t('ui.dashboard.table.period') : t('ui.dashboard.table.name');
  const unit = spec.unit ? ` (${spec.unit})` : '';
  return h(doc, 'table', {class: 'dash-table', 'data-test': 'chart-table'}, [
    h(doc, 'caption', {class: 'u-visually-hidden'}, spec.title),
    h(doc, 'thead', {}, h(doc, 'tr', {}, [h(doc, 'th', {scope: 'col'}, header),
      ...spec.datasets.map((set) => h(doc, 'th', {scope: 'col'}, `${set.label}${unit}`))])),
    h(doc, 'tbody', {}, spec.labels.map((label, index) => h(doc, 'tr', {}, [h(doc, 'th', {scope: 'row'}, label),
      ...spec.datasets.map((set) => h(doc, 'td', {}, cellText(set.data[index], t, locale)))]))),
  ]);
}

function chartFigure(doc, spec, t, locale) {
  const height = spec.kind === 'hbar' ? Math.max(140, 34 * spec.labels.length + 50) : 240;
  const canvas = h(doc, 'canvas', {role: 'img', 'aria-label': chartDescription(spec, t, locale), 'data-test': 'chart-canvas'});
  // An empty grid says nothing: no bars, or no measured time at all, is said in words instead.
  const empty = spec.labels.length === 0 || spec.datasets.every((set) => set.data.every((value) => value === null));
  return h(doc, 'figure', {class: 'dash-chart', 'data-test': 'chart', 'data-chart': spec.id, 'aria-labelledby': `chart-${spec.id}`}, [
    h(doc, 'figcaption', {id: `chart-${spec.id}`, class: 'dash-chart__title'}, spec.title),
    empty ? h(doc, 'p', {class: 'dash-empty', 'data-test': 'chart-empty'}, spec.emptyText || t('ui.dashboard.empty'))
      : h(doc, 'div', {class: 'dash-chart__canvas', style: `height: ${height}px`}, canvas),
    empty ? null : h(doc, 'details', {class: 'dash-chart__table'}, [h(doc, 'summary', {}, t('ui.dashboard.show_table')), table(doc, spec, t, locale)]),
  ]);
}

function figuresView(doc, figures, t, locale) {
  return h(doc, 'section', {class: 'dash-section', 'aria-labelledby': 'figures-heading'}, [
    h(doc, 'h2', {id: 'figures-heading', class: 'dash-heading'}, t('ui.dashboard.figures_heading')),
    h(doc, 'dl', {class: 'dash-figures', 'data-test': 'figures'}, figures.map((figure) => h(doc, 'div', {
      class: `dash-figure dash-figure--${figure.id}`, 'data-test': 'figure', 'data-figure': figure.id,
    }, [
      h(doc, 'dt', {class: 'dash-figure__label'}, t(`ui.dashboard.figure.${figure.id}`)),
      h(doc, 'dd', {class: 'dash-figure__value', 'data-test': 'figure-value', 'data-value': figure.value === null ? '' : String(figure.value)},
        figureText(figure, t, locale)),
      figureDetail(figure, t) ? h(doc, 'dd', {class: 'dash-figure__detail'}, figureDetail(figure, t)) : null,
    ]))),
  ]);
}

function rangeForm(doc, state, t, actions) {
  const read = (form) => ({from: form.querySelector('#dash-from').value, to: form.querySelector('#dash-to').value,
    interval: form.querySelector('#dash-interval').value});
  const field = (id, label, control) => h(doc, 'div', {class: 'c-field dash-field'}, [h(doc, 'label', {class: 'c-field__label', for: id}, label), control]);
  return h(doc, 'form', {class: 'dash-form', 'data-test': 'range-form', 'aria-label': t('ui.dashboard.range_label'), onsubmit: (event) => {
    event.preventDefault();
    const {from, to, interval} = read(event.target);
    actions.load({from, to}, interval);
  }}, [
    field('dash-from', t('ui.dashboard.from'), h(doc, 'input', {id: 'dash-from', type: 'date', class: 'c-txt__input', value: state.range.from, 'data-test': 'from'})),
    field('dash-to', t('ui.dashboard.to'), h(doc, 'input', {id: 'dash-to', type: 'date', class: 'c-txt__input', value: state.range.to, 'data-test': 'to'})),
    field('dash-interval', t('ui.dashboard.interval'), h(doc, 'select', {id: 'dash-interval', class: 'c-txt__input', 'data-test': 'interval'},
      INTERVALS.map((interval) => h(doc, 'option', {value: interval, selected: interval === state.interval}, t(`ui.dashboard.intervals.${interval}`))))),
    h(doc, 'button', {type: 'submit', id: 'dash-show', class: 'c-btn c-btn--primary dash-show', 'data-test': 'show'}, t('ui.dashboard.show')),
  ]);
}

function header(doc, t, subtitle) {
  return h(doc, 'header', {class: 'dash-header'}, [
    h(doc, 'h1', {class: 'dash-title', id: 'dash-title'}, t('ui.dashboard.title')),
    h(doc, 'p', {class: 'dash-subtitle', 'data-test': 'subtitle'}, subtitle),
  ]);
}

/** The page non-admins see: what the dashboard is and that it is for admins. No sidecar call is made. */
export function renderAdminOnly(root, {t, doc = root.ownerDocument}) {
  root.replaceChildren(header(doc, t, t('ui.dashboard.subtitle')), h(doc, 'div', {
    class: 'c-callout c-callout--warning dash-gate', role: 'status', 'data-test': 'admin-only',
  }, [h(doc, 'strong', {class: 'c-callout__title'}, t('ui.dashboard.admin_only_title')),
    h(doc, 'p', {class: 'c-callout__paragraph'}, t('ui.dashboard.admin_only'))]));
  root.setAttribute('aria-busy', 'false');
}

function statusText(state, t, locale) {
  if (state.phase === 'loading') return t('ui.dashboard.loading');
  if (state.phase === 'error') return '';
  const figures = state.data ? state.data.figures : [];
  const value = (id) => formatNumber((figures.find((figure) => figure.id === id) || {value: 0}).value, locale);
  return state.data ? t('ui.dashboard.loaded', {assessments: value('assessments'), escalations: value('escalations')}) : '';
}

/** Draw the dashboard for a state {phase, range, interval, data, error}; Chart is Chart.js's constructor (or null). */
export function render(root, state, {t, actions, locale = 'en', doc = root.ownerDocument, Chart = null}) {
  for (const chart of charts.get(root) || []) chart.destroy();
  charts.set(root, []);
  // The form is rebuilt with the rest: give focus back to the control that had it (the Show button).
  const focused = doc.activeElement && root.contains(doc.activeElement) ? doc.activeElement.id : '';
  const range = t('ui.dashboard.range', {from: state.range.from, to: state.range.to});
  const specs = state.phase === 'ready' && state.data ? chartSpecs(state.data, {t, locale, interval: state.interval}) : [];
  const error = state.phase === 'error' && state.error;
  root.replaceChildren(...[
    header(doc, t, `${t('ui.dashboard.subtitle')} ${range}`),
    rangeForm(doc, state, t, actions),
    h(doc, 'p', {class: 'u-visually-hidden', role: 'status', 'aria-live': 'polite', 'data-test': 'live-status'}, statusText(state, t, locale)),
    error ? h(doc, 'div', {class: 'c-callout c-callout--error dash-banner', role: 'alert', 'data-test': 'error-banner', 'data-error-kind': error.kind}, [
      h(doc, 'strong', {class: 'c-callout__title'}, t('ui.errors.title')),
      h(doc, 'p', {class: 'c-callout__paragraph', 'data-test': 'error-message'}, errorMessage(error, t)),
      h(doc, 'button', {type: 'button', class: 'c-btn c-btn--sm', 'data-test': 'retry', onclick: () => actions.retry()}, t('ui.errors.retry')),
    ]) : null,
    state.phase === 'loading' ? h(doc, 'p', {class: 'dash-loading', 'data-test': 'loading'}, t('ui.dashboard.loading')) : null,
    specs.length ? figuresView(doc, state.data.figures, t, locale) : null,
    specs.length ? h(doc, 'section', {class: 'dash-section', 'aria-labelledby': 'charts-heading'}, [
      h(doc, 'h2', {id: 'charts-heading', class: 'dash-heading'}, t('ui.dashboard.charts_heading')),
      h(doc, 'div', {class: 'dash-charts', 'data-test': 'charts'}, specs.map((spec) => chartFigure(doc, spec, t, locale))),
    ]) : null,
  ].filter(Boolean)); // replaceChildren would write a null as the text 'null'
  root.setAttribute('aria-busy', state.phase === 'loading' ? 'true' : 'false');
  const refocus = focused && doc.getElementById(focused);
  if (refocus) refocus.focus();
  if (!Chart) return;
  for (const spec of specs) {
    const canvas = root.querySelector(`figure[data-chart="${spec.id}"] canvas`);
    if (canvas) charts.get(root).push(new Chart(canvas, chartConfig(spec)));
  }
}
