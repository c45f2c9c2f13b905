// The sidebar's DOM, built from the state with plain DOM calls. Text always goes in as text nodes
// or attribute values, never as HTML, so nothing from the ticket or the sidecar can become markup.
//
// Stable hooks for browser tests are `data-test` attributes (listed in the README).
// Each section is rebuilt only when the part of the state it shows has changed, so polling does
// not disturb a half-typed note, and focus is put back on the element that had it.

import {AssessmentLevel, EscalationMode, EscalationStatus, FeedbackRating, Recommendation, StepStatus} from './constants.js';
import {linkCandidates, Stage} from './flow.js';

export const LEVEL_TONES = {
  [AssessmentLevel.LOW]: 'green',
  [AssessmentLevel.MEDIUM]: 'yellow',
  [AssessmentLevel.HIGH]: 'red',
  [AssessmentLevel.CRITICAL]: 'red',
};
export const STEP_TONES = {
  [StepStatus.PLANNED]: 'grey',
  [StepStatus.RETRYING]: 'yellow',
  [StepStatus.DONE]: 'green',
  [StepStatus.DRY_RUN]: 'blue',
  [StepStatus.SKIPPED]: 'grey',
  [StepStatus.DEAD]: 'red',
};
export const ESCALATION_TONES = {
  [EscalationStatus.PENDING]: 'blue',
  [EscalationStatus.DELIVERED]: 'green',
  [EscalationStatus.FAILED]: 'red',
  [EscalationStatus.RESOLVED]: 'kale',
};
export const STEP_ORDER = ['jira_issue', 'jira_link', 'ticket_note', 'slack_message'];

const ERROR_KEYS = {
  unreachable: 'ui.errors.unreachable',
  unavailable: 'ui.errors.unavailable',
  upstream: 'ui.errors.upstream',
  not_configured: 'ui.errors.not_configured',
  forbidden: 'ui.errors.forbidden',
  not_found: 'ui.errors.not_found',
  invalid: 'ui.errors.invalid',
  rate_limited: 'ui.errors.rate_limited',
  insert_failed: 'ui.errors.insert_failed',
  unexpected: 'ui.errors.unexpected',
};
const LEVEL_KEYS = {
  [AssessmentLevel.LOW]: 'ui.level.low',
  [AssessmentLevel.MEDIUM]: 'ui.level.medium',
  [AssessmentLevel.HIGH]: 'ui.level.high',
  [AssessmentLevel.CRITICAL]: 'ui.level.critical',
};
const RECOMMENDATION_KEYS = {
  [Recommendation.ESCALATE]: 'ui.recommendation.escalate',
  [Recommendation.WATCH]: 'ui.recommendation.watch',
  [Recommendation.NONE]: 'ui.recommendation.none',
};
const STEP_KEYS = {
  jira_issue: 'ui.escalation.step.jira_issue',
  jira_link: 'ui.escalation.step.jira_link',
  ticket_note: 'ui.escalation.step.ticket_note',
  slack_message: 'ui.escalation.step.slack_message',
};
const STEP_STATUS_KEYS = {
  [StepStatus.PLANNED]: 'ui.escalation.step_status.planned',
  [StepStatus.RETRYING]: 'ui.escalation.step_status.retrying',
  [StepStatus.DONE]: 'ui.escalation.step_status.done',
  [StepStatus.DRY_RUN]: 'ui.escalation.step_status.dry_run',
  [StepStatus.SKIPPED]: 'ui.escalation.step_status.skipped',
  [StepStatus.DEAD]: 'ui.escalation.step_status.dead',
};
const ESCALATION_STATUS_KEYS = {
  [EscalationStatus.PENDING]: 'ui.escalation.status.pending',
  [EscalationStatus.DELIVERED]: 'ui.escalation.status.delivered',
  [EscalationStatus.FAILED]: 'ui.escalation.status.failed',
  [EscalationStatus.RESOLVED]: 'ui.escalation.status.resolved',
};

// --- pure helpers ---------------------------------------------------------------------------------

/** 0.934 -> 93 (a score or confidence as a whole percentage). */
export function percent(value) {
  const number = Number(value);
  return Number.isFinite(number) ? Math.round(Math.min(Math.max(number, 0), 1) * 100) : 0;
}

/** "frustration_rising" -> "Frustration rising": the fallback for a name without a translation. */
export function humanize(name) {
  const words = String(name || '').replace(/[_-]+/g, ' ').trim();
  return words ? words[0].toUpperCase() + words.slice(1) : '';
}

/** The translated label at `prefix.name`, or the humanized name when there is none. */
export function labelFor(t, prefix, name) {
  const key = `${prefix}.${name}`;
  return t.has && t.has(key) ? t(key) : humanize(name);
}

/** A URL safe to put in href: http(s) only, else null. */
export function safeUrl(value) {
  if (!value) return null;
  try {
    const url = new URL(String(value));
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A date and time in the agent's locale, or the raw text when it is not a date. */
export function formatWhen(iso, locale = 'en') {
  if (!iso) return '';
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return String(iso);
  try {
    return new Intl.DateTimeFormat(locale, {dateStyle: 'medium', timeStyle: 'short'}).format(new Date(time));
  } catch {
    return new Date(time).toISOString();
  }
}

/** The message shown for an error ({kind, message, details}). */
export function errorMessage(error, t) {
  if (!error) return '';
  const key = ERROR_KEYS[error.kind] || ERROR_KEYS.unexpected;
  let message = error.message || '';
  if (error.details && typeof error.details === 'object') {
    const parts = [];
    for (const [field, problem] of Object.entries(error.details).slice(0, 3)) {
      parts.push(`${field}: ${Array.isArray(problem) ? problem.join(' ') : typeof problem === 'object' ? JSON.stringify(problem) : problem}`);
    }
    if (parts.length) message = `${message} (${parts.join('; ')})`;
  }
  return t(key, {message});
}

/** The text the aria-live region reads for an announcement {key, values}. */
export function announcementText(announcement, t) {
  if (!announcement) return '';
  const values = {...announcement.values};
  if (announcement.key === 'ui.live.step_changed') {
    values.step = STEP_KEYS[values.step] ? t(STEP_KEYS[values.step]) : humanize(values.step);
    values.status = STEP_STATUS_KEYS[values.status] ? t(STEP_STATUS_KEYS[values.status]) : humanize(values.status);
  }
  if (announcement.key === 'ui.live.assessed') {
    values.level = LEVEL_KEYS[values.level] ? t(LEVEL_KEYS[values.level]) : humanize(values.level);
  }
  return t(announcement.key, values);
}

/** Steps in their delivery order (unknown ones last). */
export function orderedSteps(escalation) {
  const steps = [...((escalation && escalation.steps) || [])];
  const rank = (step) => {
    const index = STEP_ORDER.indexOf(step.name);
    return index === -1 ? STEP_ORDER.length : index;
  };
  return steps.sort((a, b) => rank(a) - rank(b));
}

// --- DOM building ---------------------------------------------------------------------------------

const PROPERTIES = new Set(['value', 'checked', 'disabled', 'selected']);

/** Create an element: attributes (on* are listeners), then children (strings become text nodes). */
export function h(doc, tag, attributes = {}, children = []) {
  const element = doc.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (PROPERTIES.has(name)) {
      element[name] = value;
      if (value === true) element.setAttribute(name, '');
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of [].concat(children)) {
    if (child === null || child === undefined || child === false) continue;
    element.appendChild(typeof child === 'object' ? child : doc.createTextNode(String(child)));
  }
  return element;
}

function tag(doc, text, tone, attributes = {}) {
  const classes = ['c-tag', 'c-tag--pill', tone ? `c-tag--${tone}` : ''].filter(Boolean).join(' ');
  return h(doc, 'span', {...attributes, class: `${classes} ${attributes.class || ''}`.trim()}, h(doc, 'span', {}, text));
}

function externalLink(doc, t, url, text, attributes = {}) {
  const href = safeUrl(url);
  if (!href) return h(doc, 'span', attributes, text);
  return h(doc, 'a', {...attributes, href, target: '_blank', rel: 'noopener noreferrer'}, [
    text, h(doc, 'span', {class: 'u-visually-hidden'}, ` ${t('ui.similar.opens_new_tab')}`),
  ]);
}

function button(doc, text, onClick, attributes = {}) {
  const classes = `c-btn ${attributes.class || ''}`.trim();
  return h(doc, 'button', {type: 'button', ...attributes, class: classes, onclick: onClick}, text);
}

function section(doc, id, title, children, attributes = {}) {
  return h(doc, 'section', {class: 'sidecar-section', 'aria-labelledby': `${id}-heading`, ...attributes}, [
    h(doc, 'h2', {id: `${id}-heading`, class: 'sidecar-heading', tabindex: '-1'}, title),
    ...children,
  ]);
}

function field(doc, id, label, hint, control) {
  return h(doc, 'div', {class: 'c-field sidecar-field'}, [
    h(doc, 'label', {class: 'c-field__label', for: id}, label),
    hint ? h(doc, 'p', {class: 'c-field__hint', id: `${id}-hint`}, hint) : null,
    control,
  ]);
}

// --- sections -------------------------------------------------------------------------------------

function noticeView(doc, state, t, actions) {
  const error = state.phase === 'error' ? state.error : state.notice;
  if (!error) return [];
  return [h(doc, 'div', {class: 'c-callout c-callout--error sidecar-banner', role: 'alert', 'data-test': 'error-banner', 'data-error-kind': error.kind}, [
    h(doc, 'strong', {class: 'c-callout__title'}, t('ui.errors.title')),
    h(doc, 'p', {class: 'c-callout__paragraph', 'data-test': 'error-message'}, errorMessage(error, t)),
    button(doc, t('ui.errors.retry'), () => actions.retry(), {class: 'c-btn--sm', 'data-test': 'retry'}),
  ])];
}

function loadingView(doc, state, t) {
  if (state.phase !== 'loading' && !state.assessing) return [];
  const text = state.phase === 'loading' ? t('ui.loading') : t('ui.reassessing');
  return [h(doc, 'p', {class: 'sidecar-loading', 'data-test': 'loading'}, [h(doc, 'span', {class: 'sidecar-spinner', 'aria-hidden': 'true'}), text])];
}

function reasonItem(doc, t, signal) {
  return h(doc, 'li', {class: 'sidecar-reason', 'data-signal': signal.name}, [
    h(doc, 'span', {class: 'sidecar-reason__name'}, labelFor(t, 'ui.signals', signal.name)),
    signal.evidence ? h(doc, 'blockquote', {class: 'sidecar-evidence'}, [
      h(doc, 'span', {class: 'u-visually-hidden'}, `${t('ui.assessment.evidence_label')}: `),
      signal.evidence,
    ]) : null,
  ]);
}

function assessmentView(doc, state, t, actions) {
  const assessment = state.assessment;
  if (!assessment) return [];
  const signals = [...(assessment.signals || [])].sort((a, b) => (b.contribution || 0) - (a.contribution || 0));
  const categories = assessment.categories || [];
  const level = assessment.level || AssessmentLevel.LOW;
  return [section(doc, 'assessment', t('ui.assessment.heading'), [
    h(doc, 'dl', {class: 'sidecar-facts'}, [
      h(doc, 'dt', {}, t('ui.assessment.score_label')),
      h(doc, 'dd', {'data-test': 'score', 'data-score': String(assessment.score)}, t('ui.assessment.score_value', {score: percent(assessment.score)})),
      h(doc, 'dt', {}, t('ui.assessment.level_label')),
      h(doc, 'dd', {}, tag(doc, LEVEL_KEYS[level] ? t(LEVEL_KEYS[level]) : humanize(level), LEVEL_TONES[level], {
        'data-test': 'level', 'data-level': level, class: `sidecar-level sidecar-level--${level}`,
      })),
      h(doc, 'dt', {}, t('ui.assessment.recommendation_label')),
      h(doc, 'dd', {'data-test': 'recommendation'}, RECOMMENDATION_KEYS[assessment.recommendation] ? t(RECOMMENDATION_KEYS[assessment.recommendation]) : humanize(assessment.recommendation)),
    ]),
    h(doc, 'h3', {class: 'sidecar-subheading'}, t('ui.assessment.why_heading')),
    signals.length
      ? h(doc, 'ul', {class: 'sidecar-list', 'data-test': 'reasons'}, signals.map((signal) => reasonItem(doc, t, signal)))
      : h(doc, 'p', {class: 'sidecar-empty', 'data-test': 'reasons-empty'}, t('ui.assessment.no_reasons')),
    h(doc, 'h3', {class: 'sidecar-subheading'}, t('ui.assessment.categories_heading')),
    categories.length
      ? h(doc, 'ul', {class: 'sidecar-tags', 'data-test': 'categories'}, categories.map((category) => h(doc, 'li', {'data-category': category.name}, [
        tag(doc, labelFor(t, 'ui.categories', category.name), 'grey'),
        h(doc, 'span', {class: 'sidecar-muted'}, ` ${t('ui.assessment.confidence', {percent: percent(category.confidence)})}`),
      ])))
      : h(doc, 'p', {class: 'sidecar-empty'}, t('ui.assessment.no_categories')),
    h(doc, 'div', {class: 'sidecar-rating', role: 'group', 'aria-labelledby': 'rating-question'}, [
      h(doc, 'span', {id: 'rating-question'}, t('ui.assessment.rate_question')),
      button(doc, t('ui.assessment.rate_right'), () => actions.rate(FeedbackRating.RIGHT), {class: 'c-btn--sm', 'aria-pressed': String(state.rating === FeedbackRating.RIGHT), 'data-test': 'rate-right'}),
      button(doc, t('ui.assessment.rate_wrong'), () => actions.rate(FeedbackRating.WRONG), {class: 'c-btn--sm', 'aria-pressed': String(state.rating === FeedbackRating.WRONG), 'data-test': 'rate-wrong'}),
      state.rating ? h(doc, 'span', {class: 'sidecar-muted', 'data-test': 'rating-thanks'}, t('ui.assessment.rate_thanks')) : null,
    ]),
  ], {'data-test': 'assessment'})];
}

// The route's reasons end with the expert's own joined into one line ("Ana Ruiz: skilled in ..., 2 open
// of 8 capacity"), which suits the Jira issue and API readers; the sidebar lists the expert's reasons one
// by one instead, so that line is left out rather than shown twice.
export function routeReasons(route) {
  const expertReasons = (route.expert && route.expert.reasons) || [];
  const summary = route.expert && expertReasons.length ? `${route.expert.name}: ${expertReasons.join(', ')}` : null;
  return [...new Set([...(route.reasons || []).filter((reason) => reason !== summary), ...expertReasons])];
}

function routeView(doc, state, t, actions) {
  const assessment = state.assessment;
  if (!assessment || !assessment.route) return [];
  const route = assessment.route;
  const canChoose = !state.escalation && state.stage === Stage.ASSESSED;
  const reasons = routeReasons(route);
  const alternatives = route.alternatives || [];
  const teamBlock = route.team ? h(doc, 'dl', {class: 'sidecar-facts'}, [
    h(doc, 'dt', {}, t('ui.route.team_label')),
    h(doc, 'dd', {'data-test': 'route-team'}, [route.team.name, h(doc, 'span', {class: 'sidecar-muted'}, ` ${t('ui.route.confidence', {percent: percent(route.confidence)})}`)]),
    h(doc, 'dt', {}, t('ui.route.expert_label')),
    h(doc, 'dd', {'data-test': 'route-expert'}, route.expert ? [
      route.expert.name,
      ' ',
      tag(doc, route.expert.available_now ? t('ui.route.available_now') : t('ui.route.not_available_now'), route.expert.available_now ? 'green' : 'grey'),
    ] : t('ui.route.no_expert')),
  ]) : h(doc, 'p', {class: 'sidecar-empty', 'data-test': 'route-no-team'}, t('ui.route.no_team'));
  return [section(doc, 'route', t('ui.route.heading'), [
    teamBlock,
    reasons.length ? h(doc, 'h3', {class: 'sidecar-subheading'}, t('ui.route.why_heading')) : null,
    reasons.length ? h(doc, 'ul', {class: 'sidecar-list', 'data-test': 'route-reasons'}, reasons.map((reason) => h(doc, 'li', {}, reason))) : null,
    h(doc, 'h3', {class: 'sidecar-subheading'}, t('ui.route.alternatives_heading')),
    alternatives.length ? h(doc, 'ul', {class: 'sidecar-list', 'data-test': 'alternatives'}, alternatives.map((alternative) => {
      const name = alternative.expert ? `${alternative.expert.name} (${alternative.team.name})` : alternative.team.name;
      return h(doc, 'li', {class: 'sidecar-alternative'}, [
        h(doc, 'span', {}, name),
        h(doc, 'span', {class: 'sidecar-muted'}, ` ${t('ui.route.confidence', {percent: percent(alternative.confidence)})}`),
        (alternative.reasons || []).length ? h(doc, 'span', {class: 'sidecar-muted sidecar-block'}, alternative.reasons.join('; ')) : null,
        canChoose ? button(doc, t('ui.route.choose', {name}), () => actions.openPreview({
          teamId: alternative.team.id, expertId: alternative.expert ? alternative.expert.id : '',
        }), {class: 'c-btn--sm c-btn--basic', 'data-test': 'choose-alternative'}) : null,
      ]);
    })) : h(doc, 'p', {class: 'sidecar-empty'}, t('ui.route.no_alternatives')),
  ], {'data-test': 'route'})];
}

function similarView(doc, state, t) {
  const assessment = state.assessment;
  if (!assessment) return [];
  const items = assessment.similar || [];
  return [section(doc, 'similar', t('ui.similar.heading'), [
    items.length ? h(doc, 'ul', {class: 'sidecar-list', 'data-test': 'similar'}, items.map((item) => h(doc, 'li', {class: 'sidecar-incident'}, [
      externalLink(doc, t, item.url, item.title || item.id, {class: 'sidecar-incident__title', 'data-test': 'similar-link'}),
      h(doc, 'span', {class: 'sidecar-muted sidecar-block'}, [
        item.kind === 'jira_issue' ? t('ui.similar.kind_jira_issue') : t('ui.similar.kind_ticket'),
        ` · ${t('ui.similar.match', {percent: percent(item.score)})}`,
        item.status ? ` · ${t('ui.similar.status_label')}: ${item.status}` : '',
      ]),
      item.resolution ? h(doc, 'span', {class: 'sidecar-block'}, `${t('ui.similar.resolution_label')}: ${item.resolution}`) : null,
      item.solved_by ? h(doc, 'span', {class: 'sidecar-muted sidecar-block'}, t('ui.similar.solved_by', {name: item.solved_by}))
        : item.assignee ? h(doc, 'span', {class: 'sidecar-muted sidecar-block', 'data-test': 'similar-assignee'}, t('ui.similar.assigned_to', {name: item.assignee}))
          : null,
      item.group_name ? h(doc, 'span', {class: 'sidecar-muted sidecar-block'}, t('ui.similar.group', {name: item.group_name})) : null,
    ]))) : h(doc, 'p', {class: 'sidecar-empty', 'data-test': 'similar-empty'}, t('ui.similar.none')),
  ], {'data-test': 'similar-section'})];
}

function escalateActionView(doc, state, t, actions) {
  if (!state.assessment || state.escalation || state.stage !== Stage.ASSESSED) return [];
  return [h(doc, 'div', {class: 'sidecar-actions'}, [
    button(doc, t('ui.escalate.button'), () => actions.openPreview(), {id: 'escalate-button', class: 'c-btn--primary c-btn--full', 'data-test': 'escalate'}),
  ])];
}

function teamOptions(doc, state, t) {
  const route = (state.assessment && state.assessment.route) || {};
  const teams = state.teams.length ? state.teams : route.team ? [route.team] : [];
  const options = teams.map((team) => h(doc, 'option', {value: team.id, selected: team.id === state.form.team_id},
    route.team && team.id === route.team.id ? `${team.name} (${t('ui.preview.team_suggested')})` : team.name));
  if (!teams.some((team) => team.id === state.form.team_id)) options.unshift(h(doc, 'option', {value: '', selected: true}, '—'));
  return options;
}

function expertOptions(doc, state, t) {
  const route = (state.assessment && state.assessment.route) || {};
  let experts = state.experts.filter((expert) => expert.team_id === state.form.team_id && expert.active !== false);
  if (!state.experts.length && route.expert && route.team && route.team.id === state.form.team_id) experts = [route.expert];
  return [
    h(doc, 'option', {value: '', selected: !state.form.expert_id}, t('ui.preview.expert_best')),
    ...experts.map((expert) => h(doc, 'option', {value: expert.id, selected: expert.id === state.form.expert_id}, expert.name)),
  ];
}

function previewView(doc, state, t, actions) {
  if (![Stage.PREVIEWING, Stage.PREVIEW, Stage.ESCALATING].includes(state.stage) || !state.form) return [];
  if (!state.preview) {
    return [section(doc, 'preview', t('ui.preview.heading'), [
      h(doc, 'p', {class: 'sidecar-loading', 'data-test': 'preview-loading'}, [h(doc, 'span', {class: 'sidecar-spinner', 'aria-hidden': 'true'}), t('ui.preview.loading')]),
      button(doc, t('ui.preview.cancel'), () => actions.cancelPreview(), {class: 'c-btn--basic', 'data-test': 'cancel-preview'}),
    ], {'data-test': 'preview'})];
  }
  const preview = state.preview;
  const busy = state.stage === Stage.ESCALATING;
  const candidates = linkCandidates(state);
  const linkTo = state.form.link_to || '';
  const radio = (value, label, attributes = {}) => h(doc, 'div', {class: 'c-field sidecar-radio'}, [
    h(doc, 'input', {type: 'radio', class: 'c-field__radio', name: 'link_to', id: `link-${value || 'new'}`, value, checked: linkTo === value,
      onchange: (event) => actions.edit('link_to', event.target.value), ...attributes}),
    h(doc, 'label', {class: 'c-field__label sidecar-radio__label', for: `link-${value || 'new'}`}, label),
  ]);
  const form = h(doc, 'form', {
    class: 'sidecar-form', 'data-test': 'preview-form', 'aria-busy': busy ? 'true' : null, novalidate: true,
    onsubmit: (event) => { event.preventDefault(); actions.confirmEscalate(); },
  }, [
    field(doc, 'preview-summary', t('ui.preview.summary_label'), t('ui.preview.summary_hint'), h(doc, 'input', {
      id: 'preview-summary', type: 'text', class: 'c-field__input', value: state.form.summary, maxlength: '255',
      'aria-describedby': 'preview-summary-hint', 'data-test': 'preview-summary',
      oninput: (event) => actions.edit('summary', event.target.value),
    })),
    field(doc, 'preview-note', t('ui.preview.note_label'), t('ui.preview.note_hint'), h(doc, 'textarea', {
      id: 'preview-note', class: 'c-field__input c-field__input--area', rows: '3', maxlength: '10000', value: state.form.note,
      'aria-describedby': 'preview-note-hint', 'data-test': 'preview-note',
      oninput: (event) => actions.edit('note', event.target.value),
    })),
    field(doc, 'preview-team', t('ui.preview.team_label'), null, h(doc, 'select', {
      id: 'preview-team', class: 'c-field__input c-field__input--select', 'data-test': 'preview-team',
      onchange: (event) => actions.edit('team_id', event.target.value),
    }, teamOptions(doc, state, t))),
    field(doc, 'preview-expert', t('ui.preview.expert_label'), null, h(doc, 'select', {
      id: 'preview-expert', class: 'c-field__input c-field__input--select', 'data-test': 'preview-expert',
      onchange: (event) => actions.edit('expert_id', event.target.value),
    }, expertOptions(doc, state, t))),
    candidates.length ? h(doc, 'fieldset', {class: 'c-field sidecar-fieldset', 'data-test': 'link-options'}, [
      h(doc, 'legend', {class: 'c-field__label'}, t('ui.preview.link_legend')),
      radio('', t('ui.preview.link_new'), {'data-test': 'link-new'}),
      ...candidates.map((candidate) => h(doc, 'div', {}, [
        radio(candidate.key, t('ui.preview.link_existing', {key: candidate.key}), {'data-test': 'link-option', 'data-key': candidate.key}),
        candidate.title ? h(doc, 'span', {class: 'sidecar-muted sidecar-block sidecar-indent'}, candidate.title) : null,
      ])),
    ]) : null,
    h(doc, 'dl', {class: 'sidecar-facts'}, [
      h(doc, 'dt', {}, t('ui.preview.priority_label')),
      h(doc, 'dd', {'data-test': 'preview-priority'}, preview.priority || '—'),
      h(doc, 'dt', {}, t('ui.preview.labels_label')),
      h(doc, 'dd', {'data-test': 'preview-labels'}, (preview.labels || []).join(', ') || '—'),
    ]),
    h(doc, 'details', {class: 'sidecar-details'}, [
      h(doc, 'summary', {}, t('ui.preview.description_label')),
      h(doc, 'div', {class: 'sidecar-pre', 'data-test': 'preview-description'}, preview.description_text || ''),
    ]),
    preview.slack_text ? h(doc, 'details', {class: 'sidecar-details'}, [
      h(doc, 'summary', {}, t('ui.preview.slack_label')),
      h(doc, 'div', {class: 'sidecar-pre', 'data-test': 'preview-slack'}, preview.slack_text),
    ]) : null,
    h(doc, 'div', {class: 'sidecar-actions'}, [
      h(doc, 'button', {type: 'submit', id: 'confirm-escalate', class: 'c-btn c-btn--primary', disabled: busy, 'aria-disabled': busy ? 'true' : null, 'data-test': 'confirm-escalate'},
        busy ? t('ui.preview.confirming') : t('ui.preview.confirm')),
      button(doc, t('ui.preview.cancel'), () => actions.cancelPreview(), {class: 'c-btn--basic', disabled: busy, 'data-test': 'cancel-preview'}),
    ]),
  ]);
  return [section(doc, 'preview', t('ui.preview.heading'), [form], {'data-test': 'preview'})];
}

function stepItem(doc, t, step) {
  return h(doc, 'li', {class: 'sidecar-step', 'data-step': step.name, 'data-status': step.status}, [
    h(doc, 'span', {class: 'sidecar-step__name'}, STEP_KEYS[step.name] ? t(STEP_KEYS[step.name]) : humanize(step.name)),
    ' ',
    tag(doc, STEP_STATUS_KEYS[step.status] ? t(STEP_STATUS_KEYS[step.status]) : humanize(step.status), STEP_TONES[step.status], {'data-test': 'step-status'}),
    step.attempts > 1 ? h(doc, 'span', {class: 'sidecar-muted sidecar-block'}, t('ui.escalation.attempts', {count: step.attempts})) : null,
    step.error ? h(doc, 'span', {class: 'sidecar-error sidecar-block', 'data-test': 'step-error'}, t('ui.escalation.step_error', {error: step.error})) : null,
  ]);
}

function timelineItem(doc, t, event, locale) {
  return h(doc, 'li', {class: 'sidecar-event', 'data-kind': event.kind, 'data-system': event.system}, [
    h(doc, 'time', {datetime: event.at || '', class: 'sidecar-muted'}, formatWhen(event.at, locale)),
    h(doc, 'span', {class: 'sidecar-block'}, [
      h(doc, 'strong', {}, labelFor(t, 'ui.escalation.kind', event.kind)),
      ` · ${labelFor(t, 'ui.escalation.system', event.system)}`,
      event.actor ? ` · ${event.actor}` : '',
    ]),
    event.text ? h(doc, 'span', {class: 'sidecar-block sidecar-pre'}, event.text) : null,
  ]);
}

function escalationView(doc, state, t, actions, locale) {
  const escalation = state.escalation;
  if (!escalation) return [];
  const jira = escalation.jira || {};
  const slack = escalation.slack || {};
  const acknowledged = escalation.acknowledged && escalation.acknowledged.by;
  const summary = escalation.summary && escalation.summary.text;
  const timeline = escalation.timeline || [];
  const resolved = escalation.status === EscalationStatus.RESOLVED;
  return [section(doc, 'escalation', t('ui.escalation.heading'), [
    escalation.mode === EscalationMode.DRY_RUN ? h(doc, 'p', {class: 'c-callout c-callout--info sidecar-banner', 'data-test': 'dry-run'}, t('ui.escalation.dry_run')) : null,
    h(doc, 'dl', {class: 'sidecar-facts'}, [
      h(doc, 'dt', {}, t('ui.escalation.status_label')),
      h(doc, 'dd', {}, tag(doc, ESCALATION_STATUS_KEYS[escalation.status] ? t(ESCALATION_STATUS_KEYS[escalation.status]) : humanize(escalation.status),
        ESCALATION_TONES[escalation.status], {'data-test': 'escalation-status', 'data-status': escalation.status})),
      jira.key ? h(doc, 'dt', {}, t('ui.escalation.jira_label')) : null,
      jira.key ? h(doc, 'dd', {}, externalLink(doc, t, jira.url, h(doc, 'span', {'data-test': 'jira-key'}, jira.key), {'data-test': 'jira-link'})) : null,
      slack.permalink ? h(doc, 'dt', {}, t('ui.escalation.slack_label')) : null,
      slack.permalink ? h(doc, 'dd', {}, externalLink(doc, t, slack.permalink, t('ui.escalation.open_slack'), {'data-test': 'slack-link'})) : null,
      escalation.team ? h(doc, 'dt', {}, t('ui.escalation.team_label')) : null,
      escalation.team ? h(doc, 'dd', {}, escalation.team.name || '') : null,
      escalation.expert ? h(doc, 'dt', {}, t('ui.escalation.expert_label')) : null,
      escalation.expert ? h(doc, 'dd', {'data-test': 'escalation-expert'}, [
        escalation.expert.name || '',
        h(doc, 'span', {class: 'sidecar-muted sidecar-block'}, acknowledged ? t('ui.escalation.acknowledged', {who: acknowledged}) : t('ui.escalation.not_acknowledged')),
      ]) : null,
    ]),
    h(doc, 'h3', {class: 'sidecar-subheading'}, t('ui.escalation.steps_heading')),
    h(doc, 'ol', {class: 'sidecar-list', 'data-test': 'steps'}, orderedSteps(escalation).map((step) => stepItem(doc, t, step))),
    h(doc, 'h3', {class: 'sidecar-subheading'}, t('ui.escalation.summary_heading')),
    h(doc, 'p', {class: summary ? 'sidecar-pre' : 'sidecar-empty', 'data-test': 'summary'}, summary || t('ui.escalation.no_summary')),
    resolved ? h(doc, 'div', {class: 'sidecar-resolved', 'data-test': 'resolved'}, [
      h(doc, 'h3', {class: 'sidecar-subheading'}, t('ui.escalation.resolved_heading')),
      escalation.resolution ? h(doc, 'p', {'data-test': 'resolution'}, `${t('ui.escalation.resolution_label')}: ${escalation.resolution}`) : null,
      h(doc, 'h4', {class: 'sidecar-subheading', id: 'drafted-reply-heading'}, t('ui.escalation.drafted_reply_heading')),
      escalation.drafted_reply
        ? h(doc, 'div', {class: 'sidecar-pre sidecar-draft', 'data-test': 'drafted-reply', 'aria-labelledby': 'drafted-reply-heading'}, escalation.drafted_reply)
        : h(doc, 'p', {class: 'sidecar-empty'}, t('ui.escalation.no_drafted_reply')),
      escalation.drafted_reply ? button(doc, t('ui.escalation.insert_reply'), () => actions.insertReply(), {
        id: 'insert-reply', class: 'c-btn--primary', 'data-test': 'insert-reply',
      }) : null,
    ]) : null,
    h(doc, 'h3', {class: 'sidecar-subheading'}, t('ui.escalation.timeline_heading')),
    timeline.length
      ? h(doc, 'ol', {class: 'sidecar-list sidecar-timeline', 'data-test': 'timeline'}, timeline.map((event) => timelineItem(doc, t, event, locale)))
      : h(doc, 'p', {class: 'sidecar-empty', 'data-test': 'timeline-empty'}, t('ui.escalation.no_timeline')),
  ], {'data-test': 'escalation'})];
}

// --- rendering ------------------------------------------------------------------------------------

/** Each section: what it shows (for the change check) and how to build it. */
const SECTIONS = [
  ['notice', (state) => [state.phase, state.error, state.notice], noticeView],
  ['loading', (state) => [state.phase, state.assessing], loadingView],
  ['escalation', (state) => [state.escalation], escalationView],
  ['assessment', (state) => [state.assessment, state.rating], assessmentView],
  ['route', (state) => [state.assessment && state.assessment.route, Boolean(state.escalation), state.stage], routeView],
  ['escalate', (state) => [Boolean(state.assessment), Boolean(state.escalation), state.stage], escalateActionView],
  ['preview', (state) => [state.stage, state.preview, state.form && [state.form.team_id, state.form.expert_id, state.form.link_to],
    state.teams, state.experts, linkCandidates(state)], previewView],
  ['similar', (state) => [state.assessment && state.assessment.similar], similarView],
];

/**
 * Render `state` into `root` (the app's <main>). Builds the containers on first use, rebuilds a
 * section only when its part of the state changed, updates the live region, and moves focus when
 * the state asks for it. Returns true when anything changed.
 */
export function render(root, state, {t, actions, locale = 'en', doc = root.ownerDocument} = {}) {
  const memo = root.__sidecarMemo || (root.__sidecarMemo = {sections: {}, announcement: 0, focus: 0, locale: null});
  let changed = false;
  if (!memo.live) {
    memo.live = h(doc, 'div', {id: 'live-status', class: 'u-visually-hidden', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true', 'data-test': 'live-status'});
    root.appendChild(memo.live);
    for (const [name] of SECTIONS) {
      const container = h(doc, 'div', {id: `section-${name}`, class: `sidecar-slot sidecar-slot--${name}`});
      memo.sections[name] = {container, key: null};
      root.appendChild(container);
    }
  }
  root.setAttribute('aria-busy', state.phase === 'loading' ? 'true' : 'false');
  for (const [name, slice, build] of SECTIONS) {
    const entry = memo.sections[name];
    const key = JSON.stringify([locale, slice(state)]);
    if (key === entry.key) continue;
    entry.key = key;
    changed = true;
    const active = doc.activeElement;
    const refocus = active && active.id && entry.container.contains && entry.container.contains(active)
      ? {id: active.id, start: active.selectionStart, end: active.selectionEnd} : null;
    entry.container.replaceChildren(...build(doc, state, t, actions, locale));
    if (refocus) {
      const again = doc.getElementById(refocus.id);
      if (again && typeof again.focus === 'function') {
        again.focus();
        if (typeof refocus.start === 'number' && typeof again.setSelectionRange === 'function') {
          try { again.setSelectionRange(refocus.start, refocus.end); } catch { /* not a text control */ }
        }
      }
    }
  }
  if (state.announcement && state.announcement.seq !== memo.announcement) {
    memo.announcement = state.announcement.seq;
    memo.live.textContent = announcementText(state.announcement, t);
    changed = true;
  }
  if (state.focus && state.focus.seq !== memo.focus) {
    memo.focus = state.focus.seq;
    const target = doc.getElementById(state.focus.id);
    if (target && typeof target.focus === 'function') target.focus();
  }
  return changed;
}
