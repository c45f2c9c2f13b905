import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {describe, it} from 'node:test';
import {fileURLToPath} from 'node:url';

import {initialState, reduce} from '../assets/flow.js';
import {createTranslator} from '../assets/i18n.js';
import {announcementText, errorMessage, formatWhen, percent, render, safeUrl} from '../assets/view.js';
import {allElements, fakeDocument} from './support/fake-dom.mjs';
import {assessment, deliveredEscalation, preview, resolvedEscalation} from './support/fixtures.mjs';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const english = JSON.parse(readFileSync(join(appDir, 'translations/en.json'), 'utf8'));
const german = JSON.parse(readFileSync(join(appDir, 'translations/de.json'), 'utf8'));
const t = createTranslator(english);

function recordingActions() {
  const calls = [];
  const handler = (name) => (...args) => { calls.push([name, ...args]); };
  const actions = {calls};
  for (const name of ['retry', 'openPreview', 'edit', 'cancelPreview', 'confirmEscalate', 'insertReply', 'rate', 'ticketChanged']) {
    actions[name] = handler(name);
  }
  return actions;
}

function draw(state, {translate = t} = {}) {
  const {doc, root} = fakeDocument();
  const actions = recordingActions();
  render(root, state, {t: translate, actions, doc});
  const $ = (selector) => root.querySelector(selector);
  const $$ = (selector) => root.querySelectorAll(selector);
  return {doc, root, actions, $, $$, redraw: (next) => render(root, next, {t: translate, actions, doc})};
}

const assessed = reduce(initialState, {type: 'assess/ok', ticket: {id: '48213'}, jiraKey: null, assessment});

describe('the assessment', () => {
  it('shows the score, the level badge, the reasons with their evidence, categories, route and similar incidents', () => {
    const {$, $$} = draw(assessed);
    assert.equal($('[data-test="score"]').textContent, '93 / 100');
    const level = $('[data-test="level"]');
    assert.equal(level.textContent, 'Critical');
    assert.equal(level.getAttribute('data-level'), 'critical');
    assert.match(level.getAttribute('class'), /c-tag--red/);
    const reasons = $$('[data-test="reasons"] li');
    assert.equal(reasons.length, 2);
    assert.equal(reasons[0].getAttribute('data-signal'), 'asks_for_human'); // strongest first
    assert.match(reasons[0].textContent, /Asks for a person/);
    assert.match(reasons[0].querySelector('blockquote').textContent, /speak to a real person/);
    assert.deepEqual($$('[data-test="categories"] li').map((li) => li.getAttribute('data-category')), ['billing_refund', 'human_requested']);
    assert.match($('[data-test="route-expert"]').textContent, /Ana Ruiz/);
    // The expert's reasons once each, not again as the route's joined summary line.
    assert.deepEqual($$('[data-test="route-reasons"] li').map((li) => li.textContent),
      ['handles billing refund (82% sure)', 'skilled in billing refund', '2 open of 8 capacity']);
    assert.equal($$('[data-test="choose-alternative"]').length, 2);
    const links = $$('[data-test="similar-link"]');
    assert.equal(links[0].getAttribute('href'), 'https://acme.atlassian.net/browse/FIN-88');
    assert.equal(links[0].getAttribute('rel'), 'noopener noreferrer');
    assert.equal(links[2].tagName, 'SPAN'); // no URL: no link
    // The open FIN-88 has no solver yet: who is working on it instead; the solved ticket names its solver.
    assert.deepEqual($$('[data-test="similar-assignee"]').map((span) => span.textContent), ['Being worked on by Bo Chen']);
    assert.match($$('[data-test="similar"] li')[1].textContent, /Solved by Ana Ruiz/);
    assert.ok($('[data-test="escalate"]'));
    assert.equal($('[data-test="escalate"]').tagName, 'BUTTON');
  });

  it('puts ticket and sidecar text in as text, never as markup', () => {
    const hostile = {
      ...assessment,
      signals: [{name: 'asks_for_human', contribution: 1, evidence: '<img src=x onerror=alert(1)>"quoted"'}],
      similar: [{kind: 'ticket', id: '1', title: '<b>bold</b>', url: 'javascript:alert(1)', score: 0.5}],
    };
    const {root, $} = draw({...assessed, assessment: hostile});
    assert.equal(allElements(root).filter((element) => element.tagName === 'IMG' || element.tagName === 'B').length, 0);
    assert.match($('[data-test="reasons"]').textContent, /<img src=x onerror=alert\(1\)>/);
    assert.equal(allElements(root).filter((element) => (element.getAttribute('href') || '').startsWith('javascript')).length, 0);
  });

  it('calls the actions from its buttons', () => {
    const {$, $$, actions} = draw(assessed);
    $('[data-test="escalate"]').click();
    $('[data-test="rate-wrong"]').click();
    $$('[data-test="choose-alternative"]')[1].click();
    assert.deepEqual(actions.calls, [
      ['openPreview'],
      ['rate', 'wrong'],
      ['openPreview', {teamId: 'team_legal', expertId: ''}],
    ]);
  });

  it('is in German for a German agent', () => {
    const {$} = draw(assessed, {translate: createTranslator(german, english)});
    assert.equal($('[data-test="level"]').textContent, 'Kritisch');
    assert.equal($('[data-test="escalate"]').textContent, 'An eine Fachperson eskalieren…');
  });
});

describe('loading and errors', () => {
  it('shows the loading state first', () => {
    const {root, $} = draw(initialState);
    assert.match($('[data-test="loading"]').textContent, /Assessing this ticket/);
    assert.equal(root.getAttribute('aria-busy'), 'true');
  });

  const cases = [
    ['unreachable', {kind: 'unreachable', status: 0}, /cannot be reached/],
    ['not configured', {kind: 'not_configured', status: 401}, /not set up/],
    ['forbidden', {kind: 'forbidden', status: 403}, /permission/],
    ['invalid', {kind: 'invalid', status: 422, message: 'the request has invalid fields', details: {link_to: ['must be a Jira issue key']}},
      /could not accept this: the request has invalid fields \(link_to: must be a Jira issue key\)/],
  ];
  for (const [name, error, message] of cases) {
    it(`shows a banner with a retry button when the sidecar is ${name}`, () => {
      const {$, actions} = draw(reduce(initialState, {type: 'assess/fail', error}));
      const banner = $('[data-test="error-banner"]');
      assert.equal(banner.getAttribute('role'), 'alert');
      assert.match($('[data-test="error-message"]').textContent, message);
      $('[data-test="retry"]').click();
      assert.deepEqual(actions.calls, [['retry']]);
    });
  }
});

describe('the preview', () => {
  const previewing = (() => {
    let state = reduce(assessed, {type: 'directory/ok', teams: [{id: 'team_billing', name: 'Billing'}], experts: [{id: 'exp_ana', name: 'Ana Ruiz', team_id: 'team_billing'}]});
    state = reduce(state, {type: 'preview/start', idempotencyKey: 'k'});
    return reduce(state, {type: 'preview/ok', preview});
  })();

  it('shows an editable summary and note, the choices, the link option and a confirm button', () => {
    const {$, $$, doc} = draw(previewing);
    assert.equal($('[data-test="preview-summary"]').value, preview.summary);
    assert.equal($('label[for="preview-summary"]').textContent, 'Summary');
    assert.equal($('[data-test="preview-note"]').tagName, 'TEXTAREA');
    assert.equal($('[data-test="preview-team"]').querySelector('option[selected]').value, 'team_billing');
    const link = $$('[data-test="link-option"]');
    assert.deepEqual(link.map((input) => input.getAttribute('data-key')), ['FIN-88']);
    assert.match($('label[for="link-FIN-88"]').textContent, /Link to existing FIN-88/);
    assert.match($('[data-test="preview-description"]').textContent, /charged twice/);
    assert.equal($('[data-test="confirm-escalate"]').getAttribute('type'), 'submit');
    assert.equal(doc.activeElement, $('[data-test="preview-summary"]')); // focus moved to the first field
  });

  it('sends edits and the confirmation to the actions', () => {
    const {$, actions} = draw(previewing);
    const summary = $('[data-test="preview-summary"]');
    summary.value = 'Refund FIN duplicate';
    summary.dispatch('input');
    const option = $('[data-test="link-option"]');
    option.dispatch('change');
    const submitted = $('[data-test="preview-form"]').dispatch('submit');
    assert.equal(submitted.defaultPrevented, true);
    assert.deepEqual(actions.calls, [['edit', 'summary', 'Refund FIN duplicate'], ['edit', 'link_to', 'FIN-88'], ['confirmEscalate']]);
  });

  it('disables the confirm button while escalating', () => {
    const {$} = draw(reduce(previewing, {type: 'escalate/start'}));
    assert.equal($('[data-test="confirm-escalate"]').disabled, true);
    assert.equal($('[data-test="confirm-escalate"]').textContent, 'Escalating…');
  });
});

describe('the escalation', () => {
  const escalated = reduce(assessed, {type: 'escalation/found', escalation: deliveredEscalation()});

  it('shows the Jira link, Slack link, steps with errors, summary and timeline', () => {
    const {$, $$} = draw(escalated);
    assert.equal($('[data-test="jira-key"]').textContent, 'FIN-101');
    assert.equal($('[data-test="jira-link"]').getAttribute('href'), 'https://acme.atlassian.net/browse/FIN-101');
    assert.equal($('[data-test="slack-link"]').getAttribute('href'), 'https://acme.slack.com/archives/D01ANA/p1732201380000100');
    const steps = $$('[data-test="steps"] li');
    assert.deepEqual(steps.map((li) => [li.getAttribute('data-step'), li.getAttribute('data-status')]), [
      ['jira_issue', 'done'], ['jira_link', 'done'], ['ticket_note', 'done'], ['slack_message', 'dead'],
    ]);
    assert.match(steps[3].querySelector('[data-test="step-error"]').textContent, /invalid_auth/);
    assert.match($('[data-test="summary"]').textContent, /duplicate charge/);
    const events = $$('[data-test="timeline"] li');
    assert.equal(events.length, 2);
    assert.equal(events[0].querySelector('time').getAttribute('datetime'), '2026-11-21T15:04:00+00:00');
    assert.match(events[1].textContent, /Acknowledged · Slack · Ana Ruiz/);
    assert.equal($('[data-test="escalate"]'), null); // no second escalation
    assert.equal($('[data-test="insert-reply"]'), null); // not resolved yet
  });

  it('offers the drafted reply once resolved', () => {
    const {$, actions} = draw(reduce(escalated, {type: 'poll/ok', escalation: resolvedEscalation()}));
    assert.match($('[data-test="drafted-reply"]').textContent, /has been refunded/);
    $('[data-test="insert-reply"]').click();
    assert.deepEqual(actions.calls, [['insertReply']]);
  });

  it('moves focus to the escalation heading after escalating and announces it', () => {
    let state = reduce(assessed, {type: 'preview/start', idempotencyKey: 'k'});
    state = reduce(state, {type: 'preview/ok', preview});
    state = reduce(state, {type: 'escalate/start'});
    state = reduce(state, {type: 'escalate/ok', escalation: deliveredEscalation(), created: true});
    const {doc, $} = draw(state);
    assert.equal(doc.activeElement, $('#escalation-heading'));
    assert.equal($('[data-test="live-status"]').textContent, 'Escalated. The hand-off has started.');
    assert.equal($('[data-test="live-status"]').getAttribute('aria-live'), 'polite');
  });

  it('does not rebuild what did not change (a poll with the same answer leaves the DOM alone)', () => {
    const {$, redraw} = draw(escalated);
    const before = $('[data-test="steps"]');
    assert.equal(redraw(reduce(escalated, {type: 'poll/ok', escalation: deliveredEscalation()})), false);
    assert.equal($('[data-test="steps"]'), before);
  });
});

describe('helpers', () => {
  it('format numbers, dates, URLs and messages', () => {
    assert.equal(percent(0.934), 93);
    assert.equal(percent('x'), 0);
    assert.equal(safeUrl('javascript:alert(1)'), null);
    assert.equal(safeUrl('https://a.example/x'), 'https://a.example/x');
    assert.match(formatWhen('2026-11-21T15:04:00Z', 'en'), /2026/);
    assert.equal(formatWhen('not a date'), 'not a date');
    assert.equal(errorMessage({kind: 'upstream', message: 'Jira answered 500'}, t), 'A connected system did not answer: Jira answered 500');
    assert.equal(announcementText({key: 'ui.live.step_changed', values: {step: 'jira_issue', status: 'done'}}, t), 'Jira issue: Done.');
  });
});
