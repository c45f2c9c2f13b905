// The sidebar's state and what changes it.
//
// reduce(state, event) is pure: every screen the agent sees is a function of the state it returns.
// The flow: loading -> assessed -> previewing -> preview -> escalating -> escalated -> resolved.
// createController() does the I/O (sidecar calls, ZAF calls, timers) and feeds events to reduce().

import {ErrorKind, newIdempotencyKey} from './api.js';
import {EscalationStatus, StepStatus} from './constants.js';
import {readTicket as readZafTicket, jiraKeyOrNull} from './ticket.js';

// A step in one of these states will not change without someone acting (see EscalationStepSchema).
export const SETTLED_STEP_STATUSES = new Set([StepStatus.DONE, StepStatus.DRY_RUN, StepStatus.SKIPPED, StepStatus.DEAD]);
export const POLL_MS = 4000; // while steps are still being delivered
export const SLOW_POLL_MS = 60000; // while the escalation is open (acknowledgements, Jira updates)
export const REASSESS_DEBOUNCE_MS = 1500;

export const Stage = Object.freeze({
  ASSESSED: 'assessed',
  PREVIEWING: 'previewing',
  PREVIEW: 'preview',
  ESCALATING: 'escalating',
  ESCALATED: 'escalated',
  RESOLVED: 'resolved',
});

export const initialState = Object.freeze({
  phase: 'loading', // loading | ready | error: the first assessment
  error: null, // what stopped the first assessment: {kind, message, status, code, details}
  notice: null, // a failure that does not hide the rest: {kind, message, ...}
  assessing: false,
  ticket: null,
  jiraKey: null,
  assessment: null,
  teams: [],
  experts: [],
  stage: Stage.ASSESSED,
  preview: null,
  form: null,
  idempotencyKey: null,
  escalation: null,
  rating: null,
  replyInserted: false,
  announcement: null, // {key, values, seq}: read by the aria-live region
  focus: null, // {id, seq}: the element to focus after the next render
  seq: 0,
});

/** Whether every step of an escalation is settled (done, dry_run, skipped or dead). */
export function stepsSettled(escalation) {
  const steps = (escalation && escalation.steps) || [];
  return steps.every((step) => SETTLED_STEP_STATUSES.has(step.status));
}

function stageFor(escalation) {
  return escalation && escalation.status === EscalationStatus.RESOLVED ? Stage.RESOLVED : Stage.ESCALATED;
}

function errorInfo(error) {
  if (!error) return null;
  return {
    kind: error.kind || ErrorKind.UNEXPECTED,
    message: error.message || '',
    status: error.status ?? null,
    code: error.code ?? null,
    details: error.details ?? null,
  };
}

const CLOSED_JIRA = new Set(['done', 'closed', 'resolved', 'cancelled', 'canceled', "won't do", 'wont do']);

/**
 * Existing Jira issues the agent may link this ticket to instead of creating one: the preview's
 * suggestion, the key already in the ticket's Jira key field, and open Jira issues among the
 * similar incidents. [{key, title, url}] without duplicates.
 */
export function linkCandidates(state) {
  const found = new Map();
  const add = (key, title = null, url = null) => {
    const valid = jiraKeyOrNull(key);
    if (valid && !found.has(valid)) found.set(valid, {key: valid, title: title || null, url: url || null});
  };
  const suggestion = state.preview && state.preview.suggestion;
  if (suggestion) add(suggestion.key, suggestion.title, suggestion.url);
  if (state.jiraKey) add(state.jiraKey);
  for (const item of (state.assessment && state.assessment.similar) || []) {
    const status = String(item.status || '').trim().toLowerCase();
    if (item.kind === 'jira_issue' && !item.resolution && !CLOSED_JIRA.has(status)) add(item.id, item.title, item.url);
  }
  return [...found.values()];
}

function routeChoice(assessment) {
  const route = (assessment && assessment.route) || {};
  return {team_id: route.team ? route.team.id : '', expert_id: route.expert ? route.expert.id : ''};
}

function announce(state, key, values = {}) {
  return {...state, announcement: {key, values, seq: state.seq + 1}, seq: state.seq + 1};
}

function focusOn(state, id) {
  return {...state, focus: {id, seq: state.seq + 1}, seq: state.seq + 1};
}

function stepChanges(before, after) {
  const old = new Map(((before && before.steps) || []).map((step) => [step.name, step.status]));
  return ((after && after.steps) || []).filter((step) => old.has(step.name) && old.get(step.name) !== step.status);
}

function withEscalation(state, escalation) {
  let next = {...state, escalation, stage: stageFor(escalation), preview: null, form: null, notice: null};
  const wasResolved = state.escalation && state.escalation.status === EscalationStatus.RESOLVED;
  if (escalation.status === EscalationStatus.RESOLVED && !wasResolved) {
    next = announce(next, 'ui.live.resolved');
  } else {
    const changed = stepChanges(state.escalation, escalation);
    if (changed.length) {
      const step = changed[changed.length - 1];
      next = announce(next, 'ui.live.step_changed', {step: step.name, status: step.status});
    }
  }
  return next;
}

/** The next state after `event` ({type, ...}). Unknown events leave the state as it is. */
export function reduce(state, event) {
  switch (event.type) {
    case 'assess/start':
      return {...state, assessing: true, phase: state.assessment ? state.phase : 'loading', error: null};
    case 'assess/ok': {
      const sameAssessment = state.assessment && event.assessment && state.assessment.id === event.assessment.id;
      const next = {
        ...state,
        phase: 'ready',
        error: null,
        notice: state.notice && state.notice.source === 'assess' ? null : state.notice,
        assessing: false,
        ticket: event.ticket,
        jiraKey: event.jiraKey || null,
        assessment: event.assessment,
        rating: sameAssessment ? state.rating : null,
      };
      const level = event.assessment ? event.assessment.level : '';
      const score = event.assessment ? Math.round((event.assessment.score || 0) * 100) : 0;
      return announce(next, 'ui.live.assessed', {level, score});
    }
    case 'assess/fail':
      if (state.assessment) return {...state, assessing: false, notice: {...errorInfo(event.error), source: 'assess'}};
      return {...state, assessing: false, phase: 'error', error: errorInfo(event.error)};
    case 'directory/ok':
      return {...state, teams: event.teams || [], experts: event.experts || []};
    case 'escalation/found':
      if (!event.escalation) return state;
      if (state.stage === Stage.ESCALATING) return state; // our own answer is on its way
      return withEscalation(state, event.escalation);
    case 'preview/start': {
      const route = routeChoice(state.assessment);
      const form = state.stage === Stage.PREVIEW && state.form && !event.teamId && !event.expertId ? state.form : {
        summary: '',
        note: '',
        team_id: event.teamId ?? route.team_id,
        expert_id: event.expertId ?? (event.teamId && event.teamId !== route.team_id ? '' : route.expert_id),
        link_to: '',
        summaryEdited: false,
      };
      return {...state, stage: Stage.PREVIEWING, form, notice: null, idempotencyKey: event.idempotencyKey || state.idempotencyKey};
    }
    case 'preview/ok': {
      if (state.stage !== Stage.PREVIEWING && state.stage !== Stage.PREVIEW) return state;
      const form = {...state.form};
      if (!form.summaryEdited) form.summary = event.preview.summary || '';
      const firstTime = state.stage === Stage.PREVIEWING && !state.preview;
      let next = {...state, stage: Stage.PREVIEW, preview: event.preview, form};
      if (firstTime) next = focusOn(announce(next, 'ui.live.preview_ready'), 'preview-summary');
      return next;
    }
    case 'preview/fail': {
      if (state.stage !== Stage.PREVIEWING && state.stage !== Stage.PREVIEW) return state;
      const next = {
        ...state,
        stage: state.preview ? Stage.PREVIEW : Stage.ASSESSED,
        form: state.preview ? state.form : null,
        notice: {...errorInfo(event.error), source: 'preview'},
      };
      return state.preview ? next : focusOn(next, 'escalate-button');
    }
    case 'form/edit': {
      if (!state.form) return state;
      const form = {...state.form, [event.field]: event.value};
      if (event.field === 'summary') form.summaryEdited = true;
      if (event.field === 'team_id') {
        const expert = state.experts.find((candidate) => candidate.id === form.expert_id);
        if (!expert || expert.team_id !== event.value) form.expert_id = '';
      }
      return {...state, form};
    }
    case 'preview/cancel':
      return focusOn({...state, stage: Stage.ASSESSED, preview: null, form: null, notice: null, idempotencyKey: null}, 'escalate-button');
    case 'escalate/start':
      if (state.stage !== Stage.PREVIEW) return state;
      return announce({...state, stage: Stage.ESCALATING, notice: null}, 'ui.live.escalating');
    case 'escalate/ok': {
      const next = withEscalation({...state, idempotencyKey: null}, event.escalation);
      return focusOn(announce(next, event.created === false ? 'ui.live.escalated_existing' : 'ui.live.escalated'), 'escalation-heading');
    }
    case 'escalate/fail':
      return {...state, stage: Stage.PREVIEW, notice: {...errorInfo(event.error), source: 'escalate'}};
    case 'poll/ok':
      if (!state.escalation || !event.escalation || event.escalation.id !== state.escalation.id) return state;
      return withEscalation({...state, notice: state.notice}, event.escalation);
    case 'poll/fail':
      return state.notice ? state : {...state, notice: {...errorInfo(event.error), source: 'poll'}};
    case 'reply/inserted':
      return announce({...state, replyInserted: true, notice: null}, 'ui.live.reply_inserted');
    case 'reply/failed':
      return {...state, notice: {kind: 'insert_failed', message: event.message || '', source: 'reply'}};
    case 'rate/ok':
      return announce({...state, rating: event.rating}, 'ui.live.rated');
    case 'rate/fail':
      return {...state, notice: {...errorInfo(event.error), source: 'rate'}};
    case 'notice/dismiss':
      return {...state, notice: null};
    default:
      return state;
  }
}

function nullIfEmpty(value) {
  const text = typeof value === 'string' ? value.trim() : value;
  return text === '' || text === undefined ? null : text;
}

/**
 * The body of POST /v1/escalations/preview and /v1/escalations from the state's form, naming the agent
 * ({id, name, email} from ZAF's currentUser) as escalated_by when known.
 */
export function escalationBody(state, agent = null) {
  const form = state.form || {};
  const body = {
    ticket: state.ticket,
    note: (form.note || '').trim(),
    summary: nullIfEmpty(form.summary),
    team_id: nullIfEmpty(form.team_id),
    expert_id: nullIfEmpty(form.expert_id),
    link_to: nullIfEmpty(form.link_to),
  };
  if (agent && (agent.id || agent.name || agent.email)) {
    body.escalated_by = {id: agent.id == null ? null : String(agent.id), name: agent.name || null, email: agent.email || null};
  }
  return body;
}

/**
 * Put text into the agent's reply box: ticket.editor.insert, else comment.appendText, else set
 * comment.text (which replaces what is there, so it is the last resort). Resolves with the API used.
 */
export async function insertIntoReply(client, text) {
  const attempts = [
    ['ticket.editor.insert', () => client.invoke('ticket.editor.insert', text)],
    ['comment.appendText', () => client.invoke('comment.appendText', text)],
    ['comment.text', () => client.set('comment.text', text)],
  ];
  let lastError = null;
  for (const [name, attempt] of attempts) {
    try {
      const result = await attempt();
      const errors = result && result.errors;
      if (errors && Object.keys(errors).length) throw new Error(String(Object.values(errors)[0]?.message || name));
      return name;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError || new Error('nothing accepted the text');
}

/**
 * The sidebar's controller: owns the state, calls the sidecar and ZAF, and calls
 * render(state, actions) after every change. Returns {actions, getState, start, stop}.
 */
export function createController({
  client,
  api,
  settings = {},
  render = () => {},
  readTicket = (zafClient) => readZafTicket(zafClient, settings),
  agentName = null,
  agent = null,
  timers = {setTimeout: globalThis.setTimeout.bind(globalThis), clearTimeout: globalThis.clearTimeout.bind(globalThis)},
  pollMs = POLL_MS,
  slowPollMs = SLOW_POLL_MS,
  debounceMs = REASSESS_DEBOUNCE_MS,
  idempotencyKey = newIdempotencyKey,
} = {}) {
  let state = {...initialState};
  let pollTimer = null;
  let debounceTimer = null;
  let assessSeq = 0;
  let previewSeq = 0;
  let directory = null;
  let stopped = false;
  let retryAction = null;

  const dispatch = (event) => {
    state = reduce(state, event);
    if (!stopped) render(state, actions);
    return state;
  };

  function schedulePoll() {
    if (pollTimer) timers.clearTimeout(pollTimer);
    pollTimer = null;
    const escalation = state.escalation;
    if (stopped || !escalation) return;
    const settled = stepsSettled(escalation);
    if (escalation.status === EscalationStatus.RESOLVED && settled) return;
    pollTimer = timers.setTimeout(poll, settled ? slowPollMs : pollMs);
  }

  async function poll() {
    pollTimer = null;
    const current = state.escalation;
    if (!current) return;
    try {
      dispatch({type: 'poll/ok', escalation: await api.escalation(current.id)});
    } catch (error) {
      dispatch({type: 'poll/fail', error});
    }
    schedulePoll();
  }

  async function assess() {
    const seq = ++assessSeq;
    retryAction = assess;
    dispatch({type: 'assess/start'});
    let ticket;
    let jiraKey;
    let assessment;
    try {
      ({ticket, jiraKey} = await readTicket(client));
      assessment = await api.assess(ticket);
    } catch (error) {
      if (seq === assessSeq) dispatch({type: 'assess/fail', error});
      return;
    }
    if (seq !== assessSeq) return; // a newer assessment started meanwhile
    dispatch({type: 'assess/ok', ticket, jiraKey, assessment});
    try {
      const escalation = state.escalation ? await api.escalation(state.escalation.id) : await api.latestEscalation(ticket.id);
      if (escalation && seq === assessSeq) {
        dispatch(state.escalation ? {type: 'poll/ok', escalation} : {type: 'escalation/found', escalation});
        schedulePoll();
      }
    } catch (error) {
      dispatch({type: 'poll/fail', error});
    }
  }

  async function loadDirectory() {
    if (!directory) {
      directory = Promise.all([api.teams(), api.experts()]).then(
        ([teams, experts]) => dispatch({type: 'directory/ok', teams, experts}),
        () => { directory = null; }, // the selects then offer the route's choice only
      );
    }
    return directory;
  }

  async function fetchPreview() {
    const seq = ++previewSeq;
    retryAction = fetchPreview;
    try {
      const preview = await api.previewEscalation(escalationBody(state, agent));
      if (seq === previewSeq) dispatch({type: 'preview/ok', preview});
    } catch (error) {
      if (seq === previewSeq) dispatch({type: 'preview/fail', error});
    }
  }

  const actions = {
    /** Assess the ticket again and refresh the escalation (the error banner's retry, too). */
    retry() {
      const action = retryAction || assess;
      dispatch({type: 'notice/dismiss'});
      return action();
    },
    reassess: () => assess(),
    /** The ticket changed in Zendesk: re-assess once things have been quiet for a moment. */
    ticketChanged() {
      if (debounceTimer) timers.clearTimeout(debounceTimer);
      debounceTimer = timers.setTimeout(() => { debounceTimer = null; assess(); }, debounceMs);
    },
    /** Open the escalation preview, optionally for another team / expert than the route's. */
    async openPreview({teamId, expertId} = {}) {
      if (!state.assessment || state.escalation) return;
      dispatch({type: 'preview/start', teamId, expertId, idempotencyKey: idempotencyKey()});
      loadDirectory();
      await fetchPreview();
    },
    /** The agent edited a field of the preview form; a new team or expert refreshes the preview. */
    edit(field, value) {
      dispatch({type: 'form/edit', field, value});
      if ((field === 'team_id' || field === 'expert_id') && state.stage === Stage.PREVIEW) return fetchPreview();
      return undefined;
    },
    cancelPreview() {
      previewSeq++;
      dispatch({type: 'preview/cancel'});
    },
    /** Escalate with the previewed choices; the Idempotency-Key stays the same for retries. */
    async confirmEscalate() {
      if (state.stage !== Stage.PREVIEW) return;
      retryAction = actions.confirmEscalate;
      dispatch({type: 'escalate/start'});
      try {
        const {escalation, created} = await api.escalate(escalationBody(state, agent), state.idempotencyKey);
        dispatch({type: 'escalate/ok', escalation, created});
        schedulePoll();
      } catch (error) {
        dispatch({type: 'escalate/fail', error});
      }
    },
    /** Put the escalation's drafted customer reply into the agent's reply box. */
    async insertReply() {
      const text = state.escalation && state.escalation.drafted_reply;
      if (!text) return;
      try {
        await insertIntoReply(client, text);
        dispatch({type: 'reply/inserted'});
      } catch (error) {
        retryAction = actions.insertReply;
        dispatch({type: 'reply/failed', message: error && error.message});
      }
    },
    /** The agent's verdict on the assessment: "right" or "wrong". */
    async rate(rating) {
      if (!state.assessment) return;
      try {
        await api.rate(state.assessment.id, rating, '', agentName);
        dispatch({type: 'rate/ok', rating});
      } catch (error) {
        dispatch({type: 'rate/fail', error});
      }
    },
    dismissNotice: () => dispatch({type: 'notice/dismiss'}),
  };

  return {
    actions,
    getState: () => state,
    /** Render the loading state and assess the ticket. */
    start() {
      stopped = false;
      render(state, actions);
      return assess();
    },
    stop() {
      stopped = true;
      if (pollTimer) timers.clearTimeout(pollTimer);
      if (debounceTimer) timers.clearTimeout(debounceTimer);
      pollTimer = null;
      debounceTimer = null;
    },
  };
}
