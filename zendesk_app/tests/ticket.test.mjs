import assert from 'node:assert/strict';
import {describe, it} from 'node:test';

import {
  commentAuthor, htmlToText, jiraKeyOrNull, readTicket, TICKET_PATHS, toSidecarOrganization, toSidecarTicket,
} from '../assets/ticket.js';
import {fakeClient} from './support/fake-zaf.mjs';
import {zafComments, zafData, zafOrganization, zafRequester, zafTicket} from './support/fixtures.mjs';

describe('htmlToText', () => {
  it('keeps line breaks, drops tags and decodes entities', () => {
    assert.equal(htmlToText('<p>One &amp; <b>two</b></p><p>Three&nbsp;&lt;4&gt; &#39;x&#39; &#x263A;</p>'), "One & two\nThree <4> 'x' ☺");
    assert.equal(htmlToText('a<br>b<br/>c'), 'a\nb\nc');
    assert.equal(htmlToText('<script>alert(1)</script>text'), 'text');
    assert.equal(htmlToText(null), '');
  });
});

describe('commentAuthor', () => {
  const options = {requesterId: 501, botUserIds: ['9001']};
  it('maps end-users to customer and agents / admins to agent', () => {
    assert.equal(commentAuthor({author: {id: 501, role: 'end-user'}}, options), 'customer');
    assert.equal(commentAuthor({author: {id: 502, role: 'end-user'}}, options), 'customer'); // a CC from the customer
    assert.equal(commentAuthor({author: {id: 600, role: 'agent'}}, options), 'agent');
    assert.equal(commentAuthor({author: {id: 601, role: 'admin'}}, options), 'agent');
    assert.equal(commentAuthor({author: {id: 602, role: 'Team lead'}}, options), 'agent'); // a custom agent role
  });

  it('maps the configured bot users and the Answer Bot channels to bot', () => {
    assert.equal(commentAuthor({author: {id: 9001, role: 'agent'}}, options), 'bot');
    assert.equal(commentAuthor({author: {id: 700, role: 'agent'}, via: {channel: 'answer_bot_for_web_widget'}}, options), 'bot');
  });

  it('treats an unknown author as the customer only when it is the requester', () => {
    assert.equal(commentAuthor({author: {id: 501}}, options), 'customer');
    assert.equal(commentAuthor({author: {id: 999}}, options), 'agent');
    assert.equal(commentAuthor({}, options), 'agent');
  });
});

describe('toSidecarOrganization', () => {
  it('takes tier, arr and renewal date from the organisation fields and keeps the rest', () => {
    assert.deepEqual(toSidecarOrganization(zafOrganization), {
      name: 'Brightlane Logistics', tier: 'enterprise', arr: 480000, renewal_date: '2027-01-15', id: '77', region: 'EMEA',
    });
  });

  it('leaves out values the sidecar would refuse', () => {
    assert.deepEqual(toSidecarOrganization({name: 'X', organizationFields: {arr: 'lots', renewal_date: 'soon', tier: ''}}), {name: 'X'});
    assert.deepEqual(toSidecarOrganization({name: 'X', organizationFields: {arr: '$1,200,000', renewal_date: '2027-03-01T00:00:00Z'}}),
      {name: 'X', arr: 1200000, renewal_date: '2027-03-01'});
    assert.equal(toSidecarOrganization(null), null);
  });
});

describe('toSidecarTicket', () => {
  it("builds the sidecar's ticket JSON from ZAF's shapes", () => {
    const ticket = toSidecarTicket({
      ticket: zafTicket, comments: zafComments, requester: zafRequester, organization: zafOrganization,
    }, {botUserIds: ['9001']});
    assert.deepEqual(ticket, {
      id: '48213',
      source: 'zendesk',
      subject: 'Charged twice for our annual plan - need a refund',
      description: 'Hi, our card was charged twice for the annual Business plan.',
      comments: [
        {author: 'customer', body: 'Hi, our card was charged twice.', public: true, created_at: '2026-11-20T09:12:00.000Z'},
        {author: 'bot', body: 'You can view your invoices under Settings > Billing.', public: true, created_at: '2026-11-20T09:12:30.000Z'},
        {author: 'agent', body: 'Checking with finance.\nOne moment.', public: false, created_at: '2026-11-20T10:00:00.000Z'},
        {author: 'customer', body: "This is ridiculous. Can I please speak to a real person?\nIf this isn't sorted by Friday & we file a chargeback.",
          public: true, created_at: '2026-11-21T15:02:00.000Z'},
      ],
      requester: {name: 'Dana Whitfield', email: 'dana@brightlane.example', locale: 'de'},
      organization: {name: 'Brightlane Logistics', tier: 'enterprise', arr: 480000, renewal_date: '2027-01-15', id: '77', region: 'EMEA'},
      priority: 'high',
      status: 'open',
      tags: ['billing', 'refund'],
      created_at: '2026-11-20T09:12:00.000Z',
      updated_at: '2026-11-21T15:02:00.000Z',
    });
  });

  it('copes with a sparse ticket', () => {
    assert.deepEqual(toSidecarTicket({ticket: {id: 7, subject: null, tags: 'a b'}}), {
      id: '7', source: 'zendesk', subject: '', description: '', comments: [], requester: null, organization: null,
      priority: null, status: null, tags: ['a', 'b'],
    });
  });

  it('drops comments without text and refuses a missing ticket', () => {
    const ticket = toSidecarTicket({ticket: {id: 1, subject: 's'}, comments: [{author: {role: 'end-user'}, value: '<p> </p>'}]});
    assert.deepEqual(ticket.comments, []);
    assert.throws(() => toSidecarTicket({}), /no ticket/);
  });
});

describe('readTicket', () => {
  it('asks ZAF for the ticket, its comments, requester, organisation and the Jira key field in one call', async () => {
    const client = fakeClient({data: zafData({jiraKey: 'fin-88'})});
    const {ticket, jiraKey} = await readTicket(client, {botUserIds: ['9001'], jiraKeyFieldId: '360001'});
    assert.deepEqual(client.gets, [[...TICKET_PATHS, 'ticket.customField:custom_field_360001']]);
    assert.equal(ticket.id, '48213');
    assert.equal(ticket.comments.length, 4);
    assert.equal(jiraKey, 'FIN-88');
  });

  it('does without the Jira key field when it is not configured', async () => {
    const client = fakeClient({data: zafData()});
    const {jiraKey} = await readTicket(client);
    assert.deepEqual(client.gets, [TICKET_PATHS]);
    assert.equal(jiraKey, null);
  });
});

describe('jiraKeyOrNull', () => {
  it('accepts Jira keys only', () => {
    assert.equal(jiraKeyOrNull(' esc-12 '), 'ESC-12');
    assert.equal(jiraKeyOrNull('ESC-0'), null);
    assert.equal(jiraKeyOrNull('not a key'), null);
    assert.equal(jiraKeyOrNull(null), null);
  });
});
