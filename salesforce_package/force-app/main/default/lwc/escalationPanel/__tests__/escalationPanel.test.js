import { createElement } from 'lwc';
import EscalationPanel from 'c/escalationPanel';
import assessCase from '@salesforce/apex/EscalationController.assessCase';
import previewEscalation from '@salesforce/apex/EscalationController.previewEscalation';
import escalateCase from '@salesforce/apex/EscalationController.escalateCase';
import latestEscalation from '@salesforce/apex/EscalationController.latestEscalation';
import listTeams from '@salesforce/apex/EscalationController.listTeams';
import listExperts from '@salesforce/apex/EscalationController.listExperts';
import rateAssessment from '@salesforce/apex/EscalationController.rateAssessment';
import { getFocusedTabInfo, getTabInfo } from 'lightning/platformWorkspaceApi';
import { subscribe } from 'lightning/messageService';
import { getRecord } from 'lightning/uiRecordApi';
import { LABELS } from '../labels';

const fs = require('fs');
const path = require('path');

jest.mock('@salesforce/apex/EscalationController.assessCase', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/EscalationController.previewEscalation', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/EscalationController.escalateCase', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/EscalationController.latestEscalation', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/EscalationController.listTeams', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/EscalationController.listExperts', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/EscalationController.rateAssessment', () => ({ default: jest.fn() }), {
    virtual: true
});

// Labels with placeholders get their real values, so the tests see what the agent sees;
// every other label resolves to its name (c.Escalation_...).
jest.mock('@salesforce/label/c.Escalation_Score_Value', () => ({ default: '{0} / 100' }), { virtual: true });
jest.mock('@salesforce/label/c.Escalation_Step_Error', () => ({ default: 'Error: {0}' }), { virtual: true });
jest.mock('@salesforce/label/c.Escalation_Link_Existing', () => ({ default: 'Link to existing {0}' }), {
    virtual: true
});
jest.mock('@salesforce/label/c.Escalation_Similar_Resolution', () => ({ default: 'Resolution: {0}' }), {
    virtual: true
});
jest.mock('@salesforce/label/c.Escalation_Similar_Solved_By', () => ({ default: 'Solved by {0}' }), {
    virtual: true
});
jest.mock('@salesforce/label/c.Escalation_Similar_Assigned_To', () => ({ default: 'Being worked on by {0}' }), {
    virtual: true
});
jest.mock('@salesforce/label/c.Escalation_Choose_Alternative', () => ({ default: 'Escalate to {0}' }), {
    virtual: true
});

const CASE_ID = '5005g00000AbCdEAAV';
const OTHER_CASE_ID = '5005g00000ZzYyXAAV';
const TOAST_EVENT = 'lightning__showtoast';

const ASSESSMENT = {
    id: 'asm_1',
    ticket: { source: 'salesforce', id: CASE_ID },
    score: 0.934,
    level: 'critical',
    recommendation: 'escalate',
    categories: [
        { name: 'billing_refund', confidence: 0.97 },
        { name: 'human_requested', confidence: 0.9 }
    ],
    signals: [
        {
            name: 'refund_request',
            contribution: 1.6,
            category: 'billing_refund',
            evidence: 'comment 3 (customer): "I want the second $4,800 refunded"'
        },
        {
            name: 'asks_for_human',
            contribution: 3.2,
            category: 'human_requested',
            evidence: 'comment 5 (customer): "speak to a real person"'
        }
    ],
    route: {
        team: { id: 'team_billing', name: 'Billing' },
        expert: {
            id: 'exp_ana',
            name: 'Ana Ruiz',
            available_now: true,
            reasons: ['skilled in billing refund', '2 open of 8 capacity']
        },
        confidence: 0.82,
        // As the sidecar sends it: the expert's reasons also joined in the route's last line.
        reasons: ['handles billing refund (99% sure)', 'Ana Ruiz: skilled in billing refund, 2 open of 8 capacity'],
        alternatives: [
            {
                team: { id: 'team_billing', name: 'Billing' },
                expert: { id: 'exp_bo', name: 'Bo Chen' },
                confidence: 0.6,
                reasons: ['also billing']
            },
            { team: { id: 'team_legal', name: 'Legal' }, expert: null, confidence: 0.2, reasons: [] }
        ]
    },
    similar: [
        {
            id: 'FIN-88',
            kind: 'jira_issue',
            title: 'Duplicate charges on annual plans',
            status: 'In Progress',
            resolution: null,
            url: 'https://acme.atlassian.net/browse/FIN-88',
            solved_by: null,
            assignee: 'Bo Chen',
            score: 0.71
        },
        {
            id: '00001234',
            kind: 'ticket',
            title: 'Refund for double charge',
            status: 'Closed',
            resolution: 'Refunded',
            url: 'https://acme.my.salesforce.com/500000000000001',
            solved_by: 'Ana Ruiz',
            score: 0.55
        },
        {
            id: 'FIN-12',
            kind: 'jira_issue',
            title: 'Old closed issue',
            status: 'Done',
            resolution: 'Fixed',
            url: 'javascript:alert(1)',
            score: 0.4
        }
    ]
};

const TEAMS = [
    { id: 'team_billing', name: 'Billing' },
    { id: 'team_legal', name: 'Legal' }
];
const EXPERTS = [
    { id: 'exp_ana', team_id: 'team_billing', name: 'Ana Ruiz' },
    { id: 'exp_bo', team_id: 'team_billing', name: 'Bo Chen' },
    { id: 'exp_lea', team_id: 'team_legal', name: 'Lea Stein' },
    { id: 'exp_old', team_id: 'team_billing', name: 'Gone Person', active: false }
];

const PREVIEW = {
    summary: 'Refund a duplicate annual charge for Brightlane Logistics',
    description_text: 'Customer charged twice ($4,800 each).\nWants a refund by Friday.',
    priority: 'High',
    labels: ['salesforce-case', 'billing_refund'],
    team: { id: 'team_billing', name: 'Billing' },
    expert: { id: 'exp_ana', name: 'Ana Ruiz' },
    suggestion: {
        key: 'FIN-88',
        title: 'Duplicate charges on annual plans',
        url: 'https://acme.atlassian.net/browse/FIN-88'
    },
    slack_text: 'Escalation: Brightlane Logistics wants a refund'
};

function escalation(overrides = {}) {
    return {
        id: 'esc_1',
        status: 'pending',
        mode: 'live',
        team: { id: 'team_billing', name: 'Billing' },
        expert: { id: 'exp_ana', name: 'Ana Ruiz' },
        jira: { key: null, url: null },
        slack: { permalink: null },
        steps: [
            { name: 'slack_message', status: 'planned', attempts: 0, error: null },
            { name: 'jira_issue', status: 'planned', attempts: 0, error: null },
            { name: 'jira_link', status: 'planned', attempts: 0, error: null },
            { name: 'ticket_note', status: 'planned', attempts: 0, error: null }
        ],
        acknowledged: { by: null, at: null },
        summary: null,
        timeline: [],
        drafted_reply: null,
        suggestion: null,
        ...overrides
    };
}

function deliveredEscalation(overrides = {}) {
    return escalation({
        status: 'delivered',
        jira: { key: 'FIN-101', url: 'https://acme.atlassian.net/browse/FIN-101' },
        slack: { permalink: 'https://acme.slack.com/archives/D01ANA/p1732201380000100' },
        steps: [
            { name: 'jira_issue', status: 'done', attempts: 1, error: null },
            { name: 'jira_link', status: 'done', attempts: 1, error: null },
            { name: 'ticket_note', status: 'done', attempts: 1, error: null },
            { name: 'slack_message', status: 'dead', attempts: 8, error: 'Slack refused the token (invalid_auth)' }
        ],
        summary: { text: 'Problem: duplicate charge. Status: with Billing. Next: refund.' },
        timeline: [
            {
                id: 'evt_1',
                at: '2026-11-21T15:04:00+00:00',
                system: 'sidecar',
                kind: 'escalated',
                actor: 'Marcus Okafor',
                text: 'Escalated to Ana Ruiz (Billing)'
            },
            {
                id: 'evt_2',
                at: '2026-11-21T15:10:00+00:00',
                system: 'slack',
                kind: 'acknowledged',
                actor: 'Ana Ruiz',
                text: ''
            }
        ],
        acknowledged: { by: 'Ana Ruiz', at: '2026-11-21T15:10:00+00:00' },
        ...overrides
    });
}

function resolvedEscalation(overrides = {}) {
    return deliveredEscalation({
        status: 'resolved',
        resolution: 'Fixed',
        drafted_reply: 'Hi Dana,\n\nthe duplicate charge of $4,800 has been refunded.\n\nBest regards',
        ...overrides
    });
}

const json = (value) => JSON.stringify(value);
const apexError = (message) => ({ body: { message }, status: 500 });

/** Let every pending promise (Apex answers, then the re-render) settle. */
async function flushPromises() {
    for (let i = 0; i < 12; i++) {
        // eslint-disable-next-line no-await-in-loop
        await Promise.resolve();
    }
}

function mount({ recordId = CASE_ID } = {}) {
    const element = createElement('c-escalation-panel', { is: EscalationPanel });
    if (recordId) {
        element.recordId = recordId;
    }
    document.body.appendChild(element);
    return element;
}

const byId = (element, id) => element.shadowRoot.querySelector(`[data-id="${id}"]`);
const allById = (element, id) => [...element.shadowRoot.querySelectorAll(`[data-id="${id}"]`)];
const text = (node) => (node ? node.textContent.replace(/\s+/g, ' ').trim() : null);

function change(node, value) {
    node.value = value;
    node.dispatchEvent(new CustomEvent('change', { detail: { value } }));
}

async function openPreview(element) {
    byId(element, 'escalate').click();
    await flushPromises();
}

describe('c-escalation-panel', () => {
    const apexMethods = [
        assessCase,
        previewEscalation,
        escalateCase,
        latestEscalation,
        listTeams,
        listExperts,
        rateAssessment
    ];

    beforeEach(() => {
        jest.useFakeTimers();
        apexMethods.forEach((method) => method.mockReset());
        getFocusedTabInfo.mockResolvedValue({ tabId: 'tab0' });
        getTabInfo.mockResolvedValue({ tabId: 'tab0' });
        assessCase.mockResolvedValue(json(ASSESSMENT));
        latestEscalation.mockResolvedValue(null);
        previewEscalation.mockResolvedValue(json(PREVIEW));
        escalateCase.mockResolvedValue(json(escalation()));
        listTeams.mockResolvedValue(json(TEAMS));
        listExperts.mockResolvedValue(json(EXPERTS));
        rateAssessment.mockResolvedValue(json({ id: 'fb_1', rating: 'right' }));
    });

    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllTimers();
        jest.useRealTimers();
        // clear, not reset: the lightning stubs' own implementations (getFieldValue) must stay
        jest.clearAllMocks();
    });

    describe('the assessment', () => {
        it('assesses the page’s Case and shows the score, level, reasons with evidence and categories', async () => {
            const element = mount();
            expect(byId(element, 'loading')).not.toBeNull();
            await flushPromises();

            expect(assessCase).toHaveBeenCalledTimes(1);
            expect(assessCase).toHaveBeenCalledWith({ caseId: CASE_ID });
            expect(latestEscalation).toHaveBeenCalledWith({ caseId: CASE_ID });
            expect(getFocusedTabInfo).not.toHaveBeenCalled();
            expect(byId(element, 'loading')).toBeNull();

            expect(text(byId(element, 'score'))).toBe('93 / 100');
            const level = byId(element, 'level');
            expect(level.label).toBe('c.Escalation_Level_Critical');
            expect(level.dataset.level).toBe('critical');
            expect(level.classList).toContain('slds-theme_error');
            expect(text(byId(element, 'recommendation'))).toBe('c.Escalation_Recommendation_Escalate');

            // strongest reason first, each with its quoted evidence
            const reasons = [...byId(element, 'reasons').querySelectorAll('li')];
            expect(reasons.map((item) => item.dataset.signal)).toEqual(['asks_for_human', 'refund_request']);
            expect(text(reasons[0])).toContain('c.Escalation_Signal_Asks_For_Human');
            expect(text(reasons[0].querySelector('[data-id="evidence"]'))).toContain('"speak to a real person"');
            expect(text(reasons[1])).toContain('I want the second $4,800 refunded');

            const categories = [...byId(element, 'categories').querySelectorAll('li')];
            expect(categories.map((item) => item.dataset.category)).toEqual(['billing_refund', 'human_requested']);
            expect(categories[0].querySelector('lightning-badge').label).toBe('c.Escalation_Category_Billing_Refund');
        });

        it('shows the suggested team and expert with their reasons and alternatives', async () => {
            const element = mount();
            await flushPromises();

            expect(text(byId(element, 'route-team'))).toContain('Billing');
            expect(text(byId(element, 'route-expert'))).toContain('Ana Ruiz');
            const routeReasons = [...byId(element, 'route-reasons').querySelectorAll('li')].map(text);
            expect(routeReasons).toEqual([
                'handles billing refund (99% sure)',
                'skilled in billing refund',
                '2 open of 8 capacity'
            ]);
            const alternatives = [...byId(element, 'alternatives').querySelectorAll('li')];
            expect(alternatives).toHaveLength(2);
            expect(text(alternatives[0])).toContain('Bo Chen (Billing)');
            expect(text(alternatives[0])).toContain('also billing');
            expect(allById(element, 'choose-alternative').map((button) => button.label)).toEqual([
                'Escalate to Bo Chen (Billing)',
                'Escalate to Legal'
            ]);
        });

        it('lists similar incidents as links, and never links an unsafe URL', async () => {
            const element = mount();
            await flushPromises();

            const links = allById(element, 'similar-link');
            expect(links.map((link) => link.getAttribute('href'))).toEqual([
                'https://acme.atlassian.net/browse/FIN-88',
                'https://acme.my.salesforce.com/500000000000001'
            ]);
            expect(links[0].getAttribute('target')).toBe('_blank');
            expect(links[0].getAttribute('rel')).toBe('noopener noreferrer');
            expect(text(links[1])).toContain('Refund for double charge');
            const items = [...byId(element, 'similar').querySelectorAll('li')];
            expect(text(items[1])).toContain('Resolution: Refunded');
            expect(text(items[1])).toContain('Solved by Ana Ruiz');
            // FIN-88 is still open: no solver yet, but who is working on it.
            expect(text(items[0])).toContain('Being worked on by Bo Chen');
            expect(text(items[0])).not.toContain('Solved by');
            expect(text(byId(element, 'similar-title'))).toBe('Old closed issue');
        });

        it('shows empty states when nothing points to an expert', async () => {
            assessCase.mockResolvedValue(
                json({
                    ...ASSESSMENT,
                    score: 0.05,
                    level: 'low',
                    recommendation: 'none',
                    signals: [],
                    categories: [],
                    similar: [],
                    route: {
                        team: null,
                        expert: null,
                        confidence: 0,
                        reasons: ['no team is a confident match'],
                        alternatives: []
                    }
                })
            );
            const element = mount();
            await flushPromises();

            expect(text(byId(element, 'score'))).toBe('5 / 100');
            expect(byId(element, 'level').classList).toContain('slds-theme_success');
            expect(byId(element, 'reasons')).toBeNull();
            expect(byId(element, 'reasons-empty')).not.toBeNull();
            expect(byId(element, 'route-no-team')).not.toBeNull();
            expect(byId(element, 'similar-empty')).not.toBeNull();
        });

        it('shows the error message in a callout when the assessment fails, and Retry assesses again', async () => {
            assessCase.mockRejectedValueOnce(apexError('The escalation service is not reachable (503).'));
            const element = mount();
            await flushPromises();

            const callout = byId(element, 'error');
            expect(callout).not.toBeNull();
            expect(callout.getAttribute('role')).toBe('alert');
            expect(text(byId(element, 'error-message'))).toBe('The escalation service is not reachable (503).');
            expect(byId(element, 'score')).toBeNull();
            expect(byId(element, 'escalate')).toBeNull();

            byId(element, 'retry').click();
            await flushPromises();

            expect(assessCase).toHaveBeenCalledTimes(2);
            expect(assessCase).toHaveBeenLastCalledWith({ caseId: CASE_ID });
            expect(byId(element, 'error')).toBeNull();
            expect(text(byId(element, 'score'))).toBe('93 / 100');
        });

        it('falls back to a readable message when the error has none', async () => {
            assessCase.mockRejectedValueOnce({});
            const element = mount();
            await flushPromises();

            expect(text(byId(element, 'error-message'))).toBe('c.Escalation_Error_Unknown');
        });

        it('sends the agent’s rating of the assessment', async () => {
            const element = mount();
            await flushPromises();

            byId(element, 'rate-right').click();
            await flushPromises();

            expect(rateAssessment).toHaveBeenCalledWith({ assessmentId: 'asm_1', rating: 'right', note: '' });
            expect(byId(element, 'rate-right').variant).toBe('brand');
            expect(byId(element, 'rating-thanks')).not.toBeNull();
        });

        it('announces the assessment in the live region', async () => {
            const element = mount();
            await flushPromises();

            const live = byId(element, 'live');
            expect(live.getAttribute('aria-live')).toBe('polite');
            expect(text(live)).toBe('c.Escalation_Live_Assessed');
        });
    });

    describe('escalating', () => {
        it('previews with the routed team and expert, then escalates once with the agent’s choices', async () => {
            const element = mount();
            await flushPromises();
            const toast = jest.fn();
            element.addEventListener(TOAST_EVENT, toast);

            await openPreview(element);

            expect(previewEscalation).toHaveBeenCalledTimes(1);
            expect(previewEscalation).toHaveBeenCalledWith({
                caseId: CASE_ID,
                note: '',
                summary: null,
                teamId: 'team_billing',
                expertId: 'exp_ana',
                linkTo: null
            });
            expect(listTeams).toHaveBeenCalledTimes(1);
            expect(listExperts).toHaveBeenCalledTimes(1);
            expect(byId(element, 'escalate')).toBeNull();

            const summary = byId(element, 'preview-summary');
            expect(summary.value).toBe(PREVIEW.summary);
            expect(text(byId(element, 'preview-priority'))).toBe('High');
            expect(text(byId(element, 'preview-labels'))).toBe('salesforce-case, billing_refund');
            expect(text(byId(element, 'preview-description'))).toContain('Customer charged twice');
            expect(text(byId(element, 'preview-slack'))).toBe(PREVIEW.slack_text);
            expect(byId(element, 'preview-team').options.map((option) => option.value)).toEqual([
                'team_billing',
                'team_legal'
            ]);
            // the inactive expert and other teams' experts are not offered
            expect(byId(element, 'preview-expert').options.map((option) => option.value)).toEqual([
                '',
                'exp_ana',
                'exp_bo'
            ]);
            const link = byId(element, 'preview-link');
            expect(link.value).toBe('new');
            expect(link.options.map((option) => option.value)).toEqual(['new', 'FIN-88']);
            expect(link.options[1].label).toContain('Link to existing FIN-88');

            change(summary, 'Duplicate annual charge: refund needed');
            change(byId(element, 'preview-note'), '  Customer was charged twice; finance confirmed.  ');
            change(byId(element, 'preview-expert'), 'exp_bo');
            await flushPromises();

            expect(previewEscalation).toHaveBeenCalledTimes(2);
            expect(previewEscalation).toHaveBeenLastCalledWith({
                caseId: CASE_ID,
                note: 'Customer was charged twice; finance confirmed.',
                summary: 'Duplicate annual charge: refund needed',
                teamId: 'team_billing',
                expertId: 'exp_bo',
                linkTo: null
            });
            // the agent's own summary survives the refreshed preview
            expect(byId(element, 'preview-summary').value).toBe('Duplicate annual charge: refund needed');

            change(byId(element, 'preview-link'), 'FIN-88');
            await flushPromises();
            byId(element, 'confirm').click();
            await flushPromises();

            expect(escalateCase).toHaveBeenCalledTimes(1);
            expect(escalateCase).toHaveBeenCalledWith({
                caseId: CASE_ID,
                note: 'Customer was charged twice; finance confirmed.',
                summary: 'Duplicate annual charge: refund needed',
                teamId: 'team_billing',
                expertId: 'exp_bo',
                linkTo: 'FIN-88',
                idempotencyKey: expect.stringMatching(/^sf-.{8,}/)
            });
            expect(toast).toHaveBeenCalledTimes(1);
            expect(toast.mock.calls[0][0].detail).toEqual({
                title: 'c.Escalation_Toast_Escalated_Title',
                message: 'c.Escalation_Toast_Escalated_Message',
                variant: 'success'
            });

            expect(byId(element, 'preview')).toBeNull();
            expect(byId(element, 'escalate')).toBeNull();
            expect(byId(element, 'escalation-status').dataset.status).toBe('pending');
            const steps = [...byId(element, 'steps').querySelectorAll('li')];
            expect(steps.map((step) => step.dataset.step)).toEqual([
                'jira_issue',
                'jira_link',
                'ticket_note',
                'slack_message'
            ]);
            expect(steps.every((step) => step.dataset.status === 'planned')).toBe(true);
            expect(steps[0].querySelector('lightning-badge').label).toBe('c.Escalation_Step_Status_Planned');
            expect(byId(element, 'jira-link')).toBeNull();
        });

        it('reuses the idempotency key when the agent retries a failed escalation', async () => {
            escalateCase.mockRejectedValueOnce(apexError('Read timed out'));
            escalateCase.mockResolvedValueOnce(json(escalation()));
            const element = mount();
            await flushPromises();
            const toast = jest.fn();
            element.addEventListener(TOAST_EVENT, toast);
            await openPreview(element);

            byId(element, 'confirm').click();
            await flushPromises();

            expect(text(byId(element, 'error-message'))).toBe('Read timed out');
            expect(toast.mock.calls[0][0].detail.variant).toBe('error');
            expect(toast.mock.calls[0][0].detail.message).toBe('Read timed out');
            // the preview stays, with what the agent typed
            expect(byId(element, 'confirm')).not.toBeNull();

            byId(element, 'retry').click();
            await flushPromises();

            expect(escalateCase).toHaveBeenCalledTimes(2);
            // what the agent saw in the preview is what is sent
            expect(escalateCase.mock.calls[0][0].summary).toBe(PREVIEW.summary);
            const firstKey = escalateCase.mock.calls[0][0].idempotencyKey;
            expect(firstKey).toBeTruthy();
            expect(escalateCase.mock.calls[1][0].idempotencyKey).toBe(firstKey);
            expect(byId(element, 'steps')).not.toBeNull();
            expect(toast.mock.calls[1][0].detail.variant).toBe('success');
        });

        it('uses a new idempotency key for a new preview after Cancel', async () => {
            const element = mount();
            await flushPromises();
            await openPreview(element);
            byId(element, 'cancel').click();
            await flushPromises();
            expect(byId(element, 'preview')).toBeNull();

            escalateCase.mockRejectedValueOnce(apexError('nope'));
            await openPreview(element);
            byId(element, 'confirm').click();
            await flushPromises();
            byId(element, 'cancel').click();
            await flushPromises();
            await openPreview(element);
            byId(element, 'confirm').click();
            await flushPromises();

            expect(escalateCase).toHaveBeenCalledTimes(2);
            expect(escalateCase.mock.calls[0][0].idempotencyKey).not.toBe(escalateCase.mock.calls[1][0].idempotencyKey);
        });

        it('ignores a preview that arrives while the escalation is on its way', async () => {
            const element = mount();
            await flushPromises();
            await openPreview(element);

            let answerLate;
            previewEscalation.mockReturnValueOnce(
                new Promise((resolve) => {
                    answerLate = resolve;
                })
            );
            let escalated;
            escalateCase.mockReturnValueOnce(
                new Promise((resolve) => {
                    escalated = resolve;
                })
            );
            change(byId(element, 'preview-expert'), 'exp_bo');
            byId(element, 'confirm').click();
            await flushPromises();
            answerLate(json(PREVIEW));
            await flushPromises();

            // still escalating: the form stays locked
            expect(byId(element, 'confirm').disabled).toBe(true);
            expect(byId(element, 'confirm').label).toBe('c.Escalation_Confirming');
            expect(byId(element, 'preview').getAttribute('aria-busy')).toBe('true');

            escalated(json(escalation()));
            await flushPromises();
            expect(escalateCase).toHaveBeenCalledTimes(1);
            expect(escalateCase.mock.calls[0][0].expertId).toBe('exp_bo');
            expect(byId(element, 'preview')).toBeNull();
            expect(byId(element, 'steps')).not.toBeNull();
        });

        it('offers the Jira key already on the Case as an issue to link to', async () => {
            const element = mount();
            await flushPromises();
            expect(getRecord.getLastConfig()).toEqual({ recordId: CASE_ID, optionalFields: ['Case.Jira_Key__c'] });
            getRecord.emit({
                apiName: 'Case',
                id: CASE_ID,
                fields: { Jira_Key__c: { value: 'eng-7', displayValue: null } }
            });
            await openPreview(element);

            expect(byId(element, 'preview-link').options.map((option) => option.value)).toEqual([
                'new',
                'FIN-88',
                'ENG-7'
            ]);
            change(byId(element, 'preview-link'), 'ENG-7');
            byId(element, 'confirm').click();
            await flushPromises();
            expect(escalateCase.mock.calls[0][0].linkTo).toBe('ENG-7');
        });

        it('opens the preview for an alternative, and a new team clears an expert of another team', async () => {
            const element = mount();
            await flushPromises();

            allById(element, 'choose-alternative')[0].click();
            await flushPromises();
            expect(previewEscalation).toHaveBeenLastCalledWith(
                expect.objectContaining({ teamId: 'team_billing', expertId: 'exp_bo' })
            );

            change(byId(element, 'preview-team'), 'team_legal');
            await flushPromises();
            // the agent did not edit the summary: the sidecar writes one for the new team
            expect(previewEscalation).toHaveBeenLastCalledWith(
                expect.objectContaining({ teamId: 'team_legal', expertId: null, summary: null })
            );
            expect(byId(element, 'preview-expert').options.map((option) => option.value)).toEqual(['', 'exp_lea']);
        });

        it('shows a failed preview as an error and goes back to the Escalate button; Retry previews again', async () => {
            previewEscalation.mockRejectedValueOnce(apexError('Assessment failed: upstream_timeout'));
            const element = mount();
            await flushPromises();

            await openPreview(element);
            expect(text(byId(element, 'error-message'))).toBe('Assessment failed: upstream_timeout');
            expect(byId(element, 'escalate')).not.toBeNull();
            expect(byId(element, 'preview')).toBeNull();

            byId(element, 'retry').click();
            await flushPromises();
            expect(previewEscalation).toHaveBeenCalledTimes(2);
            expect(byId(element, 'preview-summary').value).toBe(PREVIEW.summary);
            expect(byId(element, 'error')).toBeNull();
        });

        it('offers the route’s team and expert when the directory cannot be loaded', async () => {
            listTeams.mockRejectedValue(apexError('no'));
            const element = mount();
            await flushPromises();
            await openPreview(element);

            expect(byId(element, 'preview-team').options).toEqual([
                { label: 'c.Escalation_Team_Suggested', value: 'team_billing' }
            ]);
            expect(byId(element, 'preview-expert').options.map((option) => option.value)).toEqual(['', 'exp_ana']);
            expect(byId(element, 'error')).toBeNull();
        });
    });

    describe('following the escalation', () => {
        it('polls every few seconds while steps are delivered, then slowly, and stops when resolved', async () => {
            const element = mount();
            await flushPromises();
            await openPreview(element);
            byId(element, 'confirm').click();
            await flushPromises();
            latestEscalation.mockClear();

            latestEscalation.mockResolvedValueOnce(
                json(
                    escalation({
                        steps: escalation().steps.map((step) => ({
                            ...step,
                            status: step.name === 'jira_issue' ? 'done' : 'planned'
                        }))
                    })
                )
            );
            jest.advanceTimersByTime(4000);
            await flushPromises();
            expect(latestEscalation).toHaveBeenCalledTimes(1);
            expect(latestEscalation).toHaveBeenCalledWith({ caseId: CASE_ID });
            expect(text(byId(element, 'live'))).toBe('c.Escalation_Live_Step_Changed');

            latestEscalation.mockResolvedValueOnce(json(deliveredEscalation()));
            jest.advanceTimersByTime(4000);
            await flushPromises();
            expect(latestEscalation).toHaveBeenCalledTimes(2);

            // every step is settled: the Jira and Slack links, the summary and the timeline
            const jiraLink = byId(element, 'jira-link');
            expect(jiraLink.getAttribute('href')).toBe('https://acme.atlassian.net/browse/FIN-101');
            expect(text(jiraLink)).toContain('FIN-101');
            expect(byId(element, 'slack-link').getAttribute('href')).toBe(
                'https://acme.slack.com/archives/D01ANA/p1732201380000100'
            );
            expect(text(byId(element, 'summary'))).toBe(
                'Problem: duplicate charge. Status: with Billing. Next: refund.'
            );
            const events = [...byId(element, 'timeline').querySelectorAll('li')];
            expect(events.map((event) => event.dataset.kind)).toEqual(['escalated', 'acknowledged']);
            expect(events[0].querySelector('lightning-formatted-date-time').value).toBe('2026-11-21T15:04:00+00:00');
            expect(text(events[0])).toContain('Escalated to Ana Ruiz (Billing)');
            expect(text(events[0])).toContain('Marcus Okafor');
            const slackStep = byId(element, 'steps').querySelector('[data-step="slack_message"]');
            expect(slackStep.dataset.status).toBe('dead');
            expect(text(slackStep.querySelector('[data-id="step-error"]'))).toBe(
                'Error: Slack refused the token (invalid_auth)'
            );
            expect(byId(element, 'drafted-reply')).toBeNull();

            // settled: no more fast polling, only the slow check for acknowledgements and resolution
            jest.advanceTimersByTime(4000 * 5);
            await flushPromises();
            expect(latestEscalation).toHaveBeenCalledTimes(2);

            latestEscalation.mockResolvedValueOnce(json(resolvedEscalation()));
            jest.advanceTimersByTime(60000 - 4000 * 5);
            await flushPromises();
            expect(latestEscalation).toHaveBeenCalledTimes(3);
            expect(byId(element, 'drafted-reply').value).toBe(resolvedEscalation().drafted_reply);
            expect(text(byId(element, 'resolution'))).toBe('c.Escalation_Resolution_Label');
            expect(text(byId(element, 'live'))).toBe('c.Escalation_Live_Resolved');

            // resolved and settled: polling stops
            jest.advanceTimersByTime(60000 * 5);
            await flushPromises();
            expect(latestEscalation).toHaveBeenCalledTimes(3);
        });

        it('stops polling when the panel is removed', async () => {
            latestEscalation.mockResolvedValue(json(escalation()));
            const element = mount();
            await flushPromises();
            expect(latestEscalation).toHaveBeenCalledTimes(1);

            jest.advanceTimersByTime(4000);
            await flushPromises();
            expect(latestEscalation).toHaveBeenCalledTimes(2);

            document.body.removeChild(element);
            jest.advanceTimersByTime(4000 * 10);
            await flushPromises();
            expect(latestEscalation).toHaveBeenCalledTimes(2);
        });

        it('keeps polling after a failed poll and shows the error until it recovers', async () => {
            latestEscalation.mockResolvedValueOnce(json(escalation()));
            const element = mount();
            await flushPromises();

            latestEscalation.mockRejectedValueOnce(apexError('Sidecar answered 502'));
            jest.advanceTimersByTime(4000);
            await flushPromises();
            expect(text(byId(element, 'error-message'))).toBe('Sidecar answered 502');
            expect(byId(element, 'steps')).not.toBeNull();

            latestEscalation.mockResolvedValueOnce(json(deliveredEscalation()));
            jest.advanceTimersByTime(4000);
            await flushPromises();
            expect(byId(element, 'error')).toBeNull();
            expect(byId(element, 'jira-link')).not.toBeNull();
        });

        it('shows the open escalation of the Case on load instead of the Escalate button', async () => {
            latestEscalation.mockResolvedValue(json(deliveredEscalation({ mode: 'dry_run' })));
            const element = mount();
            await flushPromises();

            expect(byId(element, 'escalate')).toBeNull();
            expect(allById(element, 'choose-alternative')).toHaveLength(0);
            expect(byId(element, 'dry-run')).not.toBeNull();
            expect(text(byId(element, 'escalation-expert'))).toContain('c.Escalation_Acknowledged_By');
            expect(byId(element, 'score')).not.toBeNull();
        });

        it('shows the drafted reply when resolved and copies it to the clipboard', async () => {
            const writeText = jest.fn().mockResolvedValue(undefined);
            Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
            latestEscalation.mockResolvedValue(json(resolvedEscalation()));
            const element = mount();
            await flushPromises();

            const reply = byId(element, 'drafted-reply');
            expect(reply.tagName.toLowerCase()).toBe('lightning-formatted-text');
            expect(reply.value).toBe(resolvedEscalation().drafted_reply);

            byId(element, 'copy-reply').click();
            await flushPromises();
            expect(writeText).toHaveBeenCalledWith(resolvedEscalation().drafted_reply);
            expect(byId(element, 'copied')).not.toBeNull();
            expect(byId(element, 'reply-fallback')).toBeNull();

            // resolved and settled on load: no polling
            jest.advanceTimersByTime(60000 * 3);
            await flushPromises();
            expect(latestEscalation).toHaveBeenCalledTimes(1);
            delete navigator.clipboard;
        });

        it('shows the drafted reply to select by hand when the clipboard is not available', async () => {
            Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
            latestEscalation.mockResolvedValue(json(resolvedEscalation()));
            const element = mount();
            await flushPromises();

            byId(element, 'copy-reply').click();
            await flushPromises();

            expect(byId(element, 'copied')).toBeNull();
            expect(byId(element, 'copy-failed')).not.toBeNull();
            const fallback = byId(element, 'reply-fallback');
            expect(fallback.value).toBe(resolvedEscalation().drafted_reply);
            expect(fallback.readOnly).toBe(true);
            delete navigator.clipboard;
        });
    });

    describe('in the utility bar', () => {
        it('assesses the Case of the focused console tab', async () => {
            getFocusedTabInfo.mockResolvedValue({ tabId: 'tab0', recordId: CASE_ID });
            const element = mount({ recordId: null });
            await flushPromises();

            expect(getFocusedTabInfo).toHaveBeenCalledTimes(1);
            expect(assessCase).toHaveBeenCalledWith({ caseId: CASE_ID });
            expect(text(byId(element, 'score'))).toBe('93 / 100');
        });

        it('uses the parent tab’s Case when a subtab is focused', async () => {
            getFocusedTabInfo.mockResolvedValue({
                tabId: 'tab0_1',
                recordId: '003000000000001AAA',
                parentTabId: 'tab0'
            });
            getTabInfo.mockResolvedValue({ tabId: 'tab0', recordId: CASE_ID });
            mount({ recordId: null });
            await flushPromises();

            expect(getTabInfo).toHaveBeenCalledWith('tab0');
            expect(assessCase).toHaveBeenCalledWith({ caseId: CASE_ID });
        });

        it('asks for a Case when the focused tab is not one', async () => {
            getFocusedTabInfo.mockResolvedValue({ tabId: 'tab1', recordId: '001000000000001AAA' });
            const element = mount({ recordId: null });
            await flushPromises();

            expect(assessCase).not.toHaveBeenCalled();
            expect(text(byId(element, 'no-case'))).toBe('c.Escalation_No_Case');
            expect(byId(element, 'error')).toBeNull();
        });

        it('follows the agent to another Case tab', async () => {
            getFocusedTabInfo.mockResolvedValue({ tabId: 'tab0', recordId: CASE_ID });
            const element = mount({ recordId: null });
            await flushPromises();
            expect(subscribe).toHaveBeenCalledTimes(1);
            const onTabFocused = subscribe.mock.calls[0][2];

            // the same Case focused again keeps its assessment
            onTabFocused({ currentTabId: 'tab0' });
            await flushPromises();
            expect(assessCase).toHaveBeenCalledTimes(1);

            getFocusedTabInfo.mockResolvedValue({ tabId: 'tab1', recordId: OTHER_CASE_ID });
            onTabFocused({ currentTabId: 'tab1' });
            await flushPromises();
            expect(assessCase).toHaveBeenCalledTimes(2);
            expect(assessCase).toHaveBeenLastCalledWith({ caseId: OTHER_CASE_ID });
            expect(latestEscalation).toHaveBeenLastCalledWith({ caseId: OTHER_CASE_ID });
            expect(byId(element, 'score')).not.toBeNull();
        });

        it('shows the new Case’s escalation even when the old Case’s answer comes later', async () => {
            getFocusedTabInfo.mockResolvedValue({ tabId: 'tab0', recordId: CASE_ID });
            let oldAnswer;
            latestEscalation.mockReturnValueOnce(
                new Promise((resolve) => {
                    oldAnswer = resolve;
                })
            );
            const element = mount({ recordId: null });
            await flushPromises();
            const onTabFocused = subscribe.mock.calls[0][2];

            getFocusedTabInfo.mockResolvedValue({ tabId: 'tab1', recordId: OTHER_CASE_ID });
            latestEscalation.mockResolvedValueOnce(json(deliveredEscalation({ id: 'esc_other' })));
            onTabFocused({ currentTabId: 'tab1' });
            await flushPromises();
            expect(latestEscalation).toHaveBeenLastCalledWith({ caseId: OTHER_CASE_ID });
            expect(text(byId(element, 'jira-link'))).toContain('FIN-101');

            oldAnswer(json(escalation()));
            await flushPromises();
            expect(byId(element, 'escalation-status').dataset.status).toBe('delivered');
        });

        it('does not listen to tab focus on a record page', async () => {
            mount();
            await flushPromises();
            expect(subscribe).not.toHaveBeenCalled();
        });
    });

    describe('labels', () => {
        const bundle = path.resolve(__dirname, '..');
        const labelsXml = fs.readFileSync(path.resolve(bundle, '../../labels/CustomLabels.labels-meta.xml'), 'utf8');
        const defined = new Set([...labelsXml.matchAll(/<fullName>([^<]+)<\/fullName>/g)].map((match) => match[1]));

        it('defines every label the panel imports, and no other Escalation_ label', () => {
            const source = fs.readFileSync(path.join(bundle, 'labels.js'), 'utf8');
            const imported = new Set([...source.matchAll(/@salesforce\/label\/c\.(\w+)/g)].map((match) => match[1]));
            expect(imported.size).toBeGreaterThan(50);
            expect([...imported].filter((name) => !defined.has(name))).toEqual([]);
            expect([...defined].filter((name) => name.startsWith('Escalation_') && !imported.has(name))).toEqual([]);
        });

        it('uses only labels that exist in the template and the component', () => {
            const html = fs.readFileSync(path.join(bundle, 'escalationPanel.html'), 'utf8');
            const js = fs.readFileSync(path.join(bundle, 'escalationPanel.js'), 'utf8');
            const used = [
                ...[...html.matchAll(/\{labels\.(\w+)\}/g)].map((match) => match[1]),
                ...[...js.matchAll(/LABELS\.(\w+)/g)].map((match) => match[1])
            ];
            expect(used.length).toBeGreaterThan(50);
            expect(used.filter((key) => !(key in LABELS))).toEqual([]);
        });
    });
});
