// The nav bar dashboard's numbers: the sidecar's analytics answers (GET /v1/analytics/summary and
// /v1/analytics/timeseries) shaped into headline figures and chart data. Pure functions with no DOM
// and no Chart.js, so they are tested on their own; dashboard.js draws what they return.

import {AssessmentLevel, EscalationStatus} from './constants.js';

export const METRICS = Object.freeze(['assessments', 'escalations', 'ack_time', 'resolve_time']);
export const INTERVALS = Object.freeze(['day', 'week']);
export const DEFAULT_DAYS = 30;
export const LEVEL_ORDER = Object.freeze(Object.values(AssessmentLevel));
export const STATUS_ORDER = Object.freeze(Object.values(EscalationStatus));
// The sidecar's name for "no category" / "no team" in a breakdown; always listed last.
export const NONE = 'none';
const DAY_MS = 86400000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A Date as "YYYY-MM-DD" in UTC (the sidecar counts days in UTC). */
export function isoDay(date) {
  return new Date(date).toISOString().slice(0, 10);
}

/** The sidecar's default range: the `days` days ending today (UTC), both ends inclusive. */
export function defaultRange(now = new Date(), days = DEFAULT_DAYS) {
  const to = isoDay(now);
  const from = isoDay(Date.parse(`${to}T00:00:00Z`) - (days - 1) * DAY_MS);
  return {from, to};
}

/** Whether text is a "YYYY-MM-DD" day (the sidecar says what is wrong with any other value). */
export function isDay(text) {
  return ISO_DAY.test(String(text || '')) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
}

const count = (value) => (Number.isFinite(Number(value)) ? Number(value) : 0);
const orNull = (value) => (value === null || value === undefined || !Number.isFinite(Number(value)) ? null : Number(value));

/**
 * The headline figures of a summary, in display order: [{id, kind, value, detail}].
 * kind is count | duration (seconds) | rate (0-1); value null means "no data" (no escalation to measure).
 */
export function headlineFigures(summary) {
  const s = summary || {};
  const assessments = s.assessments || {};
  const escalations = s.escalations || {};
  const ack = s.time_to_acknowledge_seconds || {};
  const resolve = s.time_to_resolve_seconds || {};
  const feedback = s.feedback || {};
  const delivery = s.delivery || {};
  return [
    {id: 'assessments', kind: 'count', value: count(assessments.total), detail: {recommended: count(assessments.recommended_escalation)}},
    {id: 'escalations', kind: 'count', value: count(escalations.total), detail: null},
    {id: 'ack_p50', kind: 'duration', value: orNull(ack.p50), detail: {count: count(ack.count)}},
    {id: 'ack_p90', kind: 'duration', value: orNull(ack.p90), detail: {count: count(ack.count)}},
    {id: 'resolve_p50', kind: 'duration', value: orNull(resolve.p50), detail: {count: count(resolve.count)}},
    {id: 'sla_breaches', kind: 'count', value: count(s.ack_sla_breaches), detail: {minutes: orNull(s.ack_sla_minutes)}},
    {id: 'feedback_right', kind: 'count', value: count(feedback.right), detail: null},
    {id: 'feedback_wrong', kind: 'count', value: count(feedback.wrong), detail: null},
    {id: 'expert_kept', kind: 'rate', value: orNull(s.suggested_expert_kept_rate), detail: null},
    {id: 'dead_jobs', kind: 'count', value: count(delivery.dead_jobs), detail: {retried: count(delivery.retried_jobs)}},
  ];
}

function pointsOf(series) {
  return series && Array.isArray(series.points) ? series.points.filter((point) => point && point.period) : [];
}

/** Every period of the given series, in order (the sidecar lists every period; this also copes with gaps). */
export function periodsOf(...series) {
  const periods = new Set();
  for (const one of series) for (const point of pointsOf(one)) periods.add(String(point.period));
  return [...periods].sort();
}

function valuesBy(series, periods, pick) {
  const byPeriod = new Map(pointsOf(series).map((point) => [String(point.period), point]));
  return periods.map((period) => (byPeriod.has(period) ? pick(byPeriod.get(period)) : pick(null)));
}

/** Assessments and escalations per period: {periods, datasets: [{id, data}]}; a missing period counts 0. */
export function activityChart(assessments, escalations) {
  const periods = periodsOf(assessments, escalations);
  const counts = (series) => valuesBy(series, periods, (point) => (point ? count(point.count) : 0));
  return {periods, datasets: [{id: 'assessments', data: counts(assessments)}, {id: 'escalations', data: counts(escalations)}]};
}

/**
 * Median time to acknowledge and to resolve per period: {periods, unit, datasets: [{id, data}]}.
 * The unit follows the largest median (seconds under 2 minutes, hours from 3 hours, minutes between);
 * null where nothing was measured.
 */
export function timingChart(ackTime, resolveTime) {
  const periods = periodsOf(ackTime, resolveTime);
  const medians = (series) => valuesBy(series, periods, (point) => (point && count(point.count) > 0 ? orNull(point.p50) : null));
  const seconds = [medians(ackTime), medians(resolveTime)];
  const largest = Math.max(0, ...seconds.flat().filter((value) => value !== null));
  const unit = largest >= 3 * 3600 ? 'hours' : largest < 120 ? 'seconds' : 'minutes';
  const divisor = {hours: 3600, minutes: 60, seconds: 1}[unit];
  const scale = (values) => values.map((value) => (value === null ? null : Math.round((value / divisor) * 10) / 10));
  return {periods, unit, datasets: [{id: 'ack_p50', data: scale(seconds[0])}, {id: 'resolve_p50', data: scale(seconds[1])}]};
}

/**
 * A breakdown ({name: count}) as {names, data}: in `order` when given (unknown names after it),
 * otherwise largest first; "none" always last.
 */
export function breakdownChart(counts, order = null) {
  const entries = Object.entries(counts && typeof counts === 'object' ? counts : {}).map(([name, value]) => [name, count(value)]);
  const rank = (name) => {
    if (name === NONE) return Number.MAX_SAFE_INTEGER;
    const index = order ? order.indexOf(name) : -1;
    return index === -1 ? (order ? order.length : 0) : index;
  };
  // Array.prototype.sort is stable: with an order, names it does not list keep the sidecar's order.
  entries.sort(([a, x], [b, y]) => rank(a) - rank(b) || (order ? 0 : y - x || a.localeCompare(b)));
  return {names: entries.map(([name]) => name), data: entries.map(([, value]) => value)};
}

/** Everything the dashboard draws from one summary and the four time series. */
export function dashboardData(summary, series = {}) {
  const s = summary || {};
  return {
    figures: headlineFigures(s),
    activity: activityChart(series.assessments, series.escalations),
    timing: timingChart(series.ack_time, series.resolve_time),
    byLevel: breakdownChart((s.assessments || {}).by_level, LEVEL_ORDER),
    byCategory: breakdownChart((s.escalations || {}).by_category),
    byTeam: breakdownChart((s.escalations || {}).by_team),
    byStatus: breakdownChart((s.escalations || {}).by_status, STATUS_ORDER),
  };
}

/** Fetch the summary and the four time series for a range in parallel: {summary, series}. */
export async function loadAnalytics(api, {from, to, interval}) {
  const [summary, ...series] = await Promise.all([
    api.analyticsSummary({from, to}),
    ...METRICS.map((metric) => api.analyticsTimeseries({metric, interval, from, to})),
  ]);
  return {summary, series: Object.fromEntries(METRICS.map((metric, index) => [metric, series[index]]))};
}
