// Small, readable answers of the sidecar and of ZAF, shaped like the real ones.

export const zafTicket = {
  id: 48213,
  subject: 'Charged twice for our annual plan - need a refund',
  description: 'Hi, our card was charged twice for the annual Business plan.',
  status: 'open',
  priority: 'high',
  tags: ['billing', 'refund'],
  createdAt: '2026-11-20T09:12:00Z',
  updatedAt: '2026-11-21T15:02:00Z',
};

export const zafRequester = {id: 501, name: 'Dana Whitfield', email: 'dana@brightlane.example', role: 'end-user', locale: 'de'};

export const zafOrganization = {
  id: 77,
  name: 'Brightlane Logistics',
  organizationFields: {tier: 'enterprise', arr: '480000', renewal_date: '2027-01-15', region: 'EMEA'},
};

// Newest first, as a list from the agent interface may come; the mapping sorts by time.
export const zafComments = [
  {
    id: 4,
    author: {id: 501, name: 'Dana Whitfield', role: 'end-user'},
    value: '<p>This is ridiculous. Can I please speak to a <strong>real person</strong>?</p><p>If this isn&#39;t sorted by Friday &amp; we file a chargeback.</p>',
    createdAt: '2026-11-21T15:02:00Z',
  },
  {
    id: 3,
    author: {id: 9001, name: 'Support Bot', role: 'agent'},
    value: '<p>You can view your invoices under Settings &gt; Billing.</p>',
    createdAt: '2026-11-20T09:12:30Z',
  },
  {
    id: 2,
    author: {id: 600, name: 'Marcus Okafor', role: 'admin'},
    value: 'Checking with finance.<br>One moment.',
    isPublic: false,
    createdAt: '2026-11-20T10:00:00Z',
  },
  {
    id: 1,
    author: {id: 501, name: 'Dana Whitfield', role: 'end-user'},
    value: '<div>Hi, our card was charged twice.</div>',
    createdAt: '2026-11-20T09:12:00Z',
  },
];

/** What client.get(TICKET_PATHS + the Jira key field) returns for the ticket above. */
export function zafData({jiraKey = null} = {}) {
  return {
    ticket: zafTicket,
    'ticket.comments': zafComments,
    'ticket.requester': zafRequester,
    'ticket.organization': zafOrganization,
    'ticket.customField:custom_field_360001': jiraKey,
  };
}

export const assessment = {
  id: 'asm_1',
  ticket: {source: 'zendesk', id: '48213'},
  score: 0.934,
  level: 'critical',
  recommendation: 'escalate',
  categories: [{name: 'billing_refund', confidence: 0.97}, {name: 'human_requested', confidence: 0.9}],
  signals: [
    {name: 'refund_request', contribution: 1.6, category: 'billing_refund', evidence: 'comment 3 (customer): "I want the second $4,800 refunded"'},
    {name: 'asks_for_human', contribution: 3.2, category: 'human_requested', evidence: 'comment 5 (customer): "speak to a real person"'},
  ],
  route: {
    team: {id: 'team_billing', name: 'Billing'},
    expert: {id: 'exp_ana', name: 'Ana Ruiz', email: 'ana@acme.example', available_now: true, score: 1.2,
      reasons: ['skilled in billing refund', '2 open of 8 capacity']},
    confidence: 0.82,
    // As the sidecar sends it: the expert's reasons also joined in the route's last line.
    reasons: ['handles billing refund (82% sure)', 'Ana Ruiz: skilled in billing refund, 2 open of 8 capacity'],
    alternatives: [
      {team: {id: 'team_billing', name: 'Billing'}, expert: {id: 'exp_bo', name: 'Bo Chen'}, confidence: 0.6, reasons: ['also billing']},
      {team: {id: 'team_legal', name: 'Legal'}, expert: null, confidence: 0.2, reasons: []},
    ],
    model_version: 'rules-1',
  },
  similar: [
    {source: 'jira', id: 'FIN-88', kind: 'jira_issue', title: 'Duplicate charges on annual plans', status: 'In Progress', resolution: null,
      url: 'https://acme.atlassian.net/browse/FIN-88', solved_by: null, assignee: 'Bo Chen', group_name: 'Billing', score: 0.71},
    {source: 'zendesk', id: '40001', kind: 'ticket', title: 'Refund for double charge', status: 'solved', resolution: 'Refunded',
      url: 'https://acme.zendesk.com/agent/tickets/40001', solved_by: 'Ana Ruiz', group_name: 'Billing', score: 0.55},
    {source: 'jira', id: 'FIN-12', kind: 'jira_issue', title: 'Old closed issue', status: 'Done', resolution: 'Fixed', url: null, score: 0.4},
  ],
  model_version: 'rules-1',
  created_at: '2026-11-21T15:03:00Z',
};

export const preview = {
  summary: 'Refund a duplicate annual charge for Brightlane Logistics',
  description_text: 'Customer charged twice ($4,800 each).\nWants a refund by Friday.',
  priority: 'High',
  labels: ['zendesk-48213', 'billing_refund'],
  team: {id: 'team_billing', name: 'Billing'},
  expert: {id: 'exp_ana', name: 'Ana Ruiz'},
  suggestion: {key: 'FIN-88', title: 'Duplicate charges on annual plans', url: 'https://acme.atlassian.net/browse/FIN-88'},
  slack_text: 'Escalation: Brightlane Logistics wants a refund',
};

export function escalation(overrides = {}) {
  return {
    id: 'esc_1',
    ticket: {source: 'zendesk', id: '48213', url: 'https://acme.zendesk.com/agent/tickets/48213'},
    status: 'pending',
    mode: 'live',
    score: 0.934,
    level: 'critical',
    team: {id: 'team_billing', name: 'Billing'},
    expert: {id: 'exp_ana', name: 'Ana Ruiz'},
    note: '',
    link_to: null,
    suggestion: null,
    jira: {key: null, url: null},
    slack: {channel: null, ts: null, permalink: null},
    steps: [
      {name: 'slack_message', system: 'slack', status: 'planned', attempts: 0, error: null},
      {name: 'jira_issue', system: 'jira', status: 'planned', attempts: 0, error: null},
      {name: 'jira_link', system: 'jira', status: 'planned', attempts: 0, error: null},
      {name: 'ticket_note', system: 'zendesk', status: 'planned', attempts: 0, error: null},
    ],
    jira_status: null,
    resolution: null,
    acknowledged: {by: null, at: null},
    summary: null,
    timeline: [],
    drafted_reply: null,
    ...overrides,
  };
}

export function deliveredEscalation(overrides = {}) {
  return escalation({
    status: 'delivered',
    jira: {key: 'FIN-101', url: 'https://acme.atlassian.net/browse/FIN-101'},
    slack: {channel: 'D01ANA', ts: '1732201380.000100', permalink: 'https://acme.slack.com/archives/D01ANA/p1732201380000100'},
    steps: [
      {name: 'jira_issue', system: 'jira', status: 'done', attempts: 1, error: null},
      {name: 'jira_link', system: 'jira', status: 'done', attempts: 1, error: null},
      {name: 'ticket_note', system: 'zendesk', status: 'done', attempts: 1, error: null},
      {name: 'slack_message', system: 'slack', status: 'dead', attempts: 8, error: 'Slack refused the token (invalid_auth)'},
    ],
    summary: {text: 'Problem: duplicate charge. Status: with Billing. Next: refund.'},
    timeline: [
      {id: 'evt_1', at: '2026-11-21T15:04:00+00:00', system: 'sidecar', kind: 'escalated', actor: 'Marcus Okafor', text: 'Escalated to Ana Ruiz (Billing)', data: {}},
      {id: 'evt_2', at: '2026-11-21T15:10:00+00:00', system: 'slack', kind: 'acknowledged', actor: 'Ana Ruiz', text: '', data: {}},
    ],
    acknowledged: {by: 'Ana Ruiz', at: '2026-11-21T15:10:00+00:00'},
    ...overrides,
  });
}

export function resolvedEscalation(overrides = {}) {
  return deliveredEscalation({
    status: 'resolved',
    resolution: 'Fixed',
    drafted_reply: 'Hi Dana,\n\nthe duplicate charge of $4,800 has been refunded.\n\nBest regards',
    ...overrides,
  });
}
