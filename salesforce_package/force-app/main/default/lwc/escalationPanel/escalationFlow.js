// Pure helpers of the escalation panel: what the sidecar's answers mean and what is sent back.
// Mirrors zendesk_app/assets/flow.js and view.js; no DOM and no Apex here, so it is easy to test.

import { EscalationStatus, StepStatus } from 'c/escalationConstants';

// A step in one of these states will not change without someone acting (the sidecar's EscalationStepSchema).
export const SETTLED_STEP_STATUSES = new Set([StepStatus.DONE, StepStatus.DRY_RUN, StepStatus.SKIPPED, StepStatus.DEAD]);
export const STEP_ORDER = ['jira_issue', 'jira_link', 'ticket_note', 'slack_message'];
export const POLL_MS = 4000; // while steps are still being delivered
export const SLOW_POLL_MS = 60000; // while the escalation is open (acknowledgements, Jira updates, resolution)

// The radio value that means "create a new Jira issue" (a radio group cannot use '' as a value).
export const LINK_NEW = 'new';

const CASE_KEY_PREFIX = '500';
const JIRA_KEY = /^[A-Z][A-Z0-9_]{0,30}-[1-9][0-9]{0,9}$/;
const CLOSED_JIRA = new Set(['done', 'closed', 'resolved', 'cancelled', 'canceled', "won't do", 'wont do']);

/** 0.934 -> 93 (a score or confidence as a whole percentage). */
export function percent(value) {
    const number = Number(value);
    return Number.isFinite(number) ? Math.round(Math.min(Math.max(number, 0), 1) * 100) : 0;
}

/** "frustration_rising" -> "Frustration rising": the fallback for a name without a label. */
export function humanize(name) {
    const words = String(name || '')
        .replace(/[_-]+/g, ' ')
        .trim();
    return words ? words[0].toUpperCase() + words.slice(1) : '';
}

/** The label for `name` in `labels`, or the humanized name when there is none. */
export function labelFor(labels, name) {
    return (name && labels[name]) || humanize(name);
}

/** Fill a custom label's {0}, {1}, ... with `values`. */
export function format(label, ...values) {
    return String(label || '').replace(/\{(\d+)\}/g, (match, index) =>
        values[index] === undefined || values[index] === null ? match : String(values[index])
    );
}

/** A URL safe to put in href: http(s) only, else null. */
export function safeUrl(value) {
    if (!value) {
        return null;
    }
    try {
        const url = new URL(String(value));
        return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
    } catch (error) {
        return null;
    }
}

/** Whether an id is a Case id (key prefix 500), so the utility bar ignores other records' tabs. */
export function isCaseId(value) {
    return (
        typeof value === 'string' && (value.length === 15 || value.length === 18) && value.startsWith(CASE_KEY_PREFIX)
    );
}

/** "fin-88 " -> "FIN-88"; anything that is not a Jira key -> null. */
export function jiraKeyOrNull(value) {
    const key = String(value ?? '')
        .trim()
        .toUpperCase();
    return JIRA_KEY.test(key) ? key : null;
}

/** The JSON an Apex method returned as a String, parsed; null for no answer. */
export function parseJson(text) {
    if (text === null || text === undefined || text === '') {
        return null;
    }
    return typeof text === 'string' ? JSON.parse(text) : text;
}

/** A list the sidecar answered either as an array or as {items: [...]}. */
export function itemsOf(body) {
    if (Array.isArray(body)) {
        return body;
    }
    return body && Array.isArray(body.items) ? body.items : [];
}

/** The readable message of an Apex error ({body: {message}}), a JS error, or a list of them. */
export function errorMessage(error) {
    if (!error) {
        return '';
    }
    if (Array.isArray(error)) {
        return error.map(errorMessage).filter(Boolean).join(', ');
    }
    const body = error.body;
    if (Array.isArray(body)) {
        return body
            .map((item) => item && item.message)
            .filter(Boolean)
            .join(', ');
    }
    if (body && typeof body.message === 'string' && body.message) {
        return body.message;
    }
    if (body && body.pageErrors && body.pageErrors.length) {
        return body.pageErrors.map((item) => item.message).join(', ');
    }
    return typeof error.message === 'string' ? error.message : '';
}

/** Whether every step of an escalation is settled (done, dry_run, skipped or dead). */
export function stepsSettled(escalation) {
    const steps = (escalation && escalation.steps) || [];
    return steps.every((step) => SETTLED_STEP_STATUSES.has(step.status));
}

/** How often to ask for the escalation: POLL_MS while delivering, SLOW_POLL_MS while open, else null. */
export function pollInterval(escalation) {
    if (!escalation) {
        return null;
    }
    const settled = stepsSettled(escalation);
    if (!settled) {
        return POLL_MS;
    }
    return escalation.status === EscalationStatus.RESOLVED ? null : SLOW_POLL_MS;
}

/** Steps in their delivery order (unknown ones last). */
export function orderedSteps(escalation) {
    const rank = (step) => {
        const index = STEP_ORDER.indexOf(step.name);
        return index === -1 ? STEP_ORDER.length : index;
    };
    return [...((escalation && escalation.steps) || [])].sort((a, b) => rank(a) - rank(b));
}

/** Steps whose status differs from the one in `before` (for the live region). */
export function stepChanges(before, after) {
    const old = new Map(((before && before.steps) || []).map((step) => [step.name, step.status]));
    return ((after && after.steps) || []).filter((step) => old.has(step.name) && old.get(step.name) !== step.status);
}

/**
 * Existing Jira issues the agent may link this case to instead of creating one: the preview's
 * suggestion, the key already on the Case, and the open Jira issues among the similar incidents.
 * [{key, title, url}] without duplicates.
 */
export function linkCandidates(preview, assessment, caseJiraKey = null) {
    const found = new Map();
    const add = (key, title, url) => {
        const valid = jiraKeyOrNull(key);
        if (valid && !found.has(valid)) {
            found.set(valid, { key: valid, title: title || null, url: url || null });
        }
    };
    const suggestion = preview && preview.suggestion;
    if (suggestion) {
        add(suggestion.key, suggestion.title, suggestion.url);
    }
    if (caseJiraKey) {
        add(caseJiraKey);
    }
    for (const item of (assessment && assessment.similar) || []) {
        const status = String(item.status || '')
            .trim()
            .toLowerCase();
        if (item.kind === 'jira_issue' && !item.resolution && !CLOSED_JIRA.has(status)) {
            add(item.id, item.title, item.url);
        }
    }
    return [...found.values()];
}

/** The routed team and expert of an assessment as form values. */
export function routeChoice(assessment) {
    const route = (assessment && assessment.route) || {};
    return { teamId: route.team ? route.team.id : '', expertId: route.expert ? route.expert.id : '' };
}

function nullIfBlank(value) {
    const text = typeof value === 'string' ? value.trim() : value;
    return text === '' || text === undefined || text === null ? null : text;
}

/** The Apex parameters of previewEscalation / escalateCase from the preview form. */
export function escalationParams(caseId, form) {
    const values = form || {};
    return {
        caseId,
        note: (values.note || '').trim(),
        summary: nullIfBlank(values.summary),
        teamId: nullIfBlank(values.teamId),
        expertId: nullIfBlank(values.expertId),
        linkTo: values.linkTo === LINK_NEW ? null : nullIfBlank(values.linkTo)
    };
}

/** A fresh Idempotency-Key for one escalation attempt (kept for its retries). */
export function newIdempotencyKey() {
    const cryptoApi = typeof crypto !== 'undefined' ? crypto : null;
    if (cryptoApi && typeof cryptoApi.randomUUID === 'function') {
        return `sf-${cryptoApi.randomUUID()}`;
    }
    return `sf-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
