import assert from 'node:assert/strict';
import {describe, it} from 'node:test';

import {ErrorKind, SidecarError} from '../assets/api.js';
import {
  createController, escalationBody, initialState, insertIntoReply, linkCandidates, POLL_MS, reduce, SLOW_POLL_MS, Stage,
  stepsSettled,
} from '../assets/flow.js';
import {fakeClient, fakeTimers, settle} from './support/fake-zaf.mjs';
import {assessment, deliveredEscalation, escalation, preview, resolvedEscalation, zafData} from './support/fixtures.mjs';

/** A fake of createSidecarApi(): scripted answers, every call recorded. */
function fakeApi(overrides = {}) {
  const calls = [];
  const record = (name, answer) => async (...args) => {
    calls.push([name, ...args]);
    const value = typeof answer === 'function' ? answer(...args) : answer;
    if (value instanceof Error) throw value;
    return value;
  };
  const answers = {
    assess: assessment,
    latestEscalation: null,
    escalation: deliveredEscalation(),
    previewEscalation: preview,
    escalate: {created: true, escalation: escalation()},
    teams: [{id: 'team_billing', name: 'Billing'}, {id: 'team_legal', name: 'Legal'}],
    experts: [{id: 'exp_ana', name: 'Ana Ruiz', team_id: 'team_billing'}, {id: 'exp_lee', name: 'Lee Park', team_id: 'team_legal'}],
    rate: {id: 'fb_1'},
    ...overrides,
  };
  const api = {calls};
  for (const [name, answer] of Object.entries(answers)) api[name] = record(name, answer);
  return api;
}

function setup({api = fakeApi(), client = fakeClient({data: zafData()}), settings = {botUserIds: ['9001']}} = {}) {
  const timers = fakeTimers();
  const renders = [];
  const controller = createController({
    client, api, settings, timers, agentName: 'Marcus Okafor', idempotencyKey: () => 'key-1',
    render: (state) => renders.push(state),
  });
  return {controller, api, client, timers, renders, state: () => controller.getState(), actions: controller.actions};
}

describe('reduce', () => {
  const assessed = reduce(initialState, {type: 'assess/ok', ticket: {id: '48213'}, jiraKey: null, assessment});

  it('goes from loading to assessed and announces it', () => {
    assert.equal(initialState.phase, 'loading');
    assert.equal(assessed.phase, 'ready');
    assert.equal(assessed.stage, Stage.ASSESSED);
    assert.deepEqual(assessed.announcement.key, 'ui.live.assessed');
    assert.deepEqual(assessed.announcement.values, {level: 'critical', score: 93});
  });

  it('shows a blocking error when the first assessment fails, a notice when a later one does', () => {
    const error = new SidecarError({kind: ErrorKind.UNREACHABLE, status: 0, message: 'down'});
    const failed = reduce(initialState, {type: 'assess/fail', error});
    assert.equal(failed.phase, 'error');
    assert.equal(failed.error.kind, 'unreachable');
    const later = reduce(assessed, {type: 'assess/fail', error});
    assert.equal(later.phase, 'ready');
    assert.equal(later.assessment, assessment);
    assert.equal(later.notice.kind, 'unreachable');
  });

  it("prefills the preview form with the route's choice, or the alternative the agent chose", () => {
    const opened = reduce(assessed, {type: 'preview/start', idempotencyKey: 'k'});
    assert.equal(opened.stage, Stage.PREVIEWING);
    assert.deepEqual({team: opened.form.team_id, expert: opened.form.expert_id}, {team: 'team_billing', expert: 'exp_ana'});
    const other = reduce(assessed, {type: 'preview/start', teamId: 'team_legal', idempotencyKey: 'k'});
    assert.deepEqual({team: other.form.team_id, expert: other.form.expert_id}, {team: 'team_legal', expert: ''});
  });

  it("takes the preview's summary until the agent edits it", () => {
    let state = reduce(reduce(assessed, {type: 'preview/start', idempotencyKey: 'k'}), {type: 'preview/ok', preview});
    assert.equal(state.stage, Stage.PREVIEW);
    assert.equal(state.form.summary, preview.summary);
    assert.deepEqual(state.focus.id, 'preview-summary');
    state = reduce(state, {type: 'form/edit', field: 'summary', value: 'My summary'});
    state = reduce(state, {type: 'preview/ok', preview: {...preview, summary: 'Another'}});
    assert.equal(state.form.summary, 'My summary');
  });

  it('offers the suggestion, the Jira key on the ticket and open similar Jira issues as link targets', () => {
    const state = {...assessed, jiraKey: 'ESC-7', preview};
    assert.deepEqual(linkCandidates(state).map((candidate) => candidate.key), ['FIN-88', 'ESC-7']); // FIN-12 is Done
  });

  it('knows when every step is settled', () => {
    assert.equal(stepsSettled(escalation()), false);
    assert.equal(stepsSettled(deliveredEscalation()), true); // done x3 + dead
    assert.equal(stepsSettled({steps: [{status: 'dry_run'}, {status: 'skipped'}]}), true);
    assert.equal(stepsSettled({steps: [{status: 'retrying'}]}), false);
  });

  it('announces a step that changed and the resolution', () => {
    let state = reduce(assessed, {type: 'escalation/found', escalation: escalation()});
    assert.equal(state.stage, Stage.ESCALATED);
    state = reduce(state, {type: 'poll/ok', escalation: escalation({steps: [{name: 'jira_issue', status: 'done'}]})});
    assert.deepEqual(state.announcement.values, {step: 'jira_issue', status: 'done'});
    state = reduce(state, {type: 'poll/ok', escalation: resolvedEscalation({id: 'esc_1'})});
    assert.equal(state.stage, Stage.RESOLVED);
    assert.equal(state.announcement.key, 'ui.live.resolved');
  });

  it('builds the escalation body from the form, with nulls for empty choices', () => {
    const state = {ticket: {id: '1'}, form: {summary: ' S ', note: ' n ', team_id: 'team_1', expert_id: '', link_to: ''}};
    assert.deepEqual(escalationBody(state), {ticket: {id: '1'}, note: 'n', summary: 'S', team_id: 'team_1', expert_id: null, link_to: null});
  });

  it('names the escalating agent as escalated_by when ZAF knows them', () => {
    const state = {ticket: {id: '1'}, form: {}};
    const body = escalationBody(state, {id: 9003, name: 'Sam Agent', email: 'sam@acme.example'});
    assert.deepEqual(body.escalated_by, {id: '9003', name: 'Sam Agent', email: 'sam@acme.example'});
    assert.equal('escalated_by' in escalationBody(state, {id: null, name: null, email: null}), false);
  });
});

describe('the escalation flow', () => {
  it('assessed -> preview -> escalating -> escalated -> resolved, then inserts the drafted reply', async () => {
    const api = fakeApi();
    const {controller, actions, state, timers, client, renders} = setup({api});

    await controller.start();
    assert.equal(renders[0].phase, 'loading');
    assert.equal(state().stage, Stage.ASSESSED);
    assert.equal(state().assessment.id, 'asm_1');
    const [, sentTicket] = api.calls.find(([name]) => name === 'assess');
    assert.equal(sentTicket.id, '48213');
    assert.equal(sentTicket.comments[1].author, 'bot');
    assert.deepEqual(api.calls.find(([name]) => name === 'latestEscalation'), ['latestEscalation', '48213']);

    await actions.openPreview();
    assert.equal(state().stage, Stage.PREVIEW);
    assert.equal(state().teams.length, 2);
    const [, previewBody] = api.calls.find(([name]) => name === 'previewEscalation');
    assert.deepEqual({...previewBody, ticket: previewBody.ticket.id}, {
      ticket: '48213', note: '', summary: null, team_id: 'team_billing', expert_id: 'exp_ana', link_to: null,
    });

    actions.edit('note', 'Customer was charged twice; finance needs to refund.');
    actions.edit('link_to', 'FIN-88');
    const escalating = actions.confirmEscalate();
    assert.equal(state().stage, Stage.ESCALATING);
    await escalating;
    const [, body, key] = api.calls.find(([name]) => name === 'escalate');
    assert.equal(key, 'key-1');
    assert.deepEqual({...body, ticket: body.ticket.id}, {
      ticket: '48213', note: 'Customer was charged twice; finance needs to refund.', summary: preview.summary,
      team_id: 'team_billing', expert_id: 'exp_ana', link_to: 'FIN-88',
    });
    assert.equal(state().stage, Stage.ESCALATED);
    assert.equal(state().focus.id, 'escalation-heading');
    assert.equal(state().announcement.key, 'ui.live.escalated');
    assert.deepEqual(timers.delays(), [POLL_MS]); // steps still planned: poll soon

    await timers.runAll(); // poll: delivered, every step settled
    assert.equal(state().escalation.jira.key, 'FIN-101');
    assert.deepEqual(timers.delays(), [SLOW_POLL_MS]); // open escalation: poll slowly

    api.escalation = async () => resolvedEscalation();
    await timers.runAll(); // poll: resolved
    assert.equal(state().stage, Stage.RESOLVED);
    assert.deepEqual(timers.delays(), []); // resolved and settled: polling stops

    await actions.insertReply();
    assert.deepEqual(client.invocations.filter(([name]) => name === 'ticket.editor.insert'), [
      ['ticket.editor.insert', resolvedEscalation().drafted_reply],
    ]);
    assert.equal(state().replyInserted, true);
    assert.equal(state().announcement.key, 'ui.live.reply_inserted');
  });

  it('shows an existing escalation instead of offering to escalate again', async () => {
    const {controller, state, timers} = setup({api: fakeApi({latestEscalation: deliveredEscalation()})});
    await controller.start();
    assert.equal(state().stage, Stage.ESCALATED);
    assert.equal(state().escalation.id, 'esc_1');
    assert.deepEqual(timers.delays(), [SLOW_POLL_MS]);
  });

  it('tells the agent when the sidecar answered with an escalation that was already open', async () => {
    const {controller, actions, state} = setup({api: fakeApi({escalate: {created: false, escalation: deliveredEscalation()}})});
    await controller.start();
    await actions.openPreview();
    await actions.confirmEscalate();
    assert.equal(state().announcement.key, 'ui.live.escalated_existing');
  });

  it('keeps the form and the idempotency key when escalating fails, and retries with them', async () => {
    let fail = true;
    const api = fakeApi({
      escalate: () => (fail ? new SidecarError({kind: ErrorKind.UNAVAILABLE, status: 503, message: 'down'}) : {created: true, escalation: escalation()}),
    });
    const {controller, actions, state} = setup({api});
    await controller.start();
    await actions.openPreview();
    actions.edit('note', 'please help');
    await actions.confirmEscalate();
    assert.equal(state().stage, Stage.PREVIEW);
    assert.equal(state().notice.kind, 'unavailable');
    assert.equal(state().form.note, 'please help');
    fail = false;
    await actions.retry();
    assert.equal(state().stage, Stage.ESCALATED);
    const keys = api.calls.filter(([name]) => name === 'escalate').map(([, , key]) => key);
    assert.deepEqual(keys, ['key-1', 'key-1']);
  });

  it('shows the error and recovers on retry when the sidecar is down', async () => {
    let down = true;
    const api = fakeApi({assess: () => (down ? new SidecarError({kind: ErrorKind.UNREACHABLE, status: 0}) : assessment)});
    const {controller, actions, state} = setup({api});
    await controller.start();
    assert.equal(state().phase, 'error');
    assert.equal(state().error.kind, 'unreachable');
    down = false;
    await actions.retry();
    assert.equal(state().phase, 'ready');
    assert.equal(state().error, null);
  });

  it('re-assesses once when the ticket changes several times in a row', async () => {
    const {controller, actions, api, timers} = setup();
    await controller.start();
    actions.ticketChanged();
    actions.ticketChanged();
    actions.ticketChanged();
    assert.equal(timers.pending.size, 1);
    await timers.runAll();
    assert.equal(api.calls.filter(([name]) => name === 'assess').length, 2);
  });

  it('changing the team refreshes the preview and clears an expert of another team', async () => {
    const {controller, actions, api, state} = setup();
    await controller.start();
    await actions.openPreview();
    await actions.edit('team_id', 'team_legal');
    assert.equal(state().form.expert_id, '');
    const previews = api.calls.filter(([name]) => name === 'previewEscalation');
    assert.equal(previews.length, 2);
    assert.equal(previews[1][1].team_id, 'team_legal');
  });

  it('cancel goes back to the assessment', async () => {
    const {controller, actions, state} = setup();
    await controller.start();
    await actions.openPreview();
    actions.cancelPreview();
    assert.equal(state().stage, Stage.ASSESSED);
    assert.equal(state().preview, null);
    assert.equal(state().focus.id, 'escalate-button'); // focus goes back to where the agent started
  });

  it("records the agent's rating", async () => {
    const {controller, actions, api, state} = setup();
    await controller.start();
    await actions.rate('right');
    assert.deepEqual(api.calls.find(([name]) => name === 'rate'), ['rate', 'asm_1', 'right', '', 'Marcus Okafor']);
    assert.equal(state().rating, 'right');
  });

  it('stops polling when stopped', async () => {
    const {controller, timers} = setup({api: fakeApi({latestEscalation: escalation()})});
    await controller.start();
    assert.equal(timers.pending.size, 1);
    controller.stop();
    assert.equal(timers.pending.size, 0);
  });
});

describe('insertIntoReply', () => {
  it('uses ticket.editor.insert', async () => {
    const client = fakeClient();
    assert.equal(await insertIntoReply(client, 'Hello'), 'ticket.editor.insert');
    assert.deepEqual(client.invocations, [['ticket.editor.insert', 'Hello']]);
  });

  it('falls back to comment.appendText, then to setting comment.text', async () => {
    const appended = fakeClient({invoke: (name) => { if (name === 'ticket.editor.insert') throw new Error('not here'); return {}; }});
    assert.equal(await insertIntoReply(appended, 'Hello'), 'comment.appendText');
    const set = fakeClient({invoke: (name) => ({errors: {[name]: {message: 'unsupported'}}})});
    assert.equal(await insertIntoReply(set, 'Hello'), 'comment.text');
    assert.deepEqual(set.sets, [['comment.text', 'Hello']]);
  });

  it('tells the controller when nothing worked', async () => {
    const client = fakeClient({invoke: () => { throw new Error('no'); }, set: () => { throw new Error('no'); }});
    const {controller, actions, state} = setup({client: Object.assign(client, {get: fakeClient({data: zafData()}).get}),
      api: fakeApi({latestEscalation: resolvedEscalation()})});
    await controller.start();
    await actions.insertReply();
    assert.equal(state().notice.kind, 'insert_failed');
    await settle();
  });
});
