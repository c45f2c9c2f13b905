// The sidecar's ticket JSON (sidecar/schemas.py TicketSchema) built from what the ZAF client gives.
//
// Comment authors, first rule that matches:
//   bot      - the author's user id is in the `bot_user_ids` setting, or the comment came in through
//              an Answer Bot / AI agent channel (its via.channel, when ZAF gives one);
//   customer - the author's role is "end-user";
//   agent    - any other role ("agent", "admin", custom agent roles);
//   unknown author (deleted user): customer if it is the requester, else agent, so an unknown
//   voice never adds to the customer's words. The same rules as the sidecar's own Zendesk client.

export const TICKET_PATHS = ['ticket', 'ticket.comments', 'ticket.requester', 'ticket.organization'];

// Via channels of comments written by Zendesk's bots (as in sidecar/clients/zendesk.py).
export const BOT_CHANNELS = new Set([
  'answer_bot', 'answer_bot_api', 'answer_bot_for_agents', 'answer_bot_for_sdk', 'answer_bot_for_slack',
  'answer_bot_for_web_widget',
]);

// Organisation field keys the sidecar's scoring reads (premium tier, ARR, renewal date).
export const ORGANIZATION_FIELDS = {tier: 'tier', arr: 'arr', renewal_date: 'renewal_date'};

const ENTITIES = {amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' '};

/** Plain text from a comment's HTML: block ends and <br> become line breaks, tags go, entities decode. */
export function htmlToText(html) {
  if (html === null || html === undefined) return '';
  return String(html)
    .replace(/<\s*(script|style)[^>]*>[\s\S]*?<\s*\/\s*\1\s*>/gi, '')
    .replace(/<\s*br\s*\/?>/gi, '\n')
    .replace(/<\s*\/\s*(p|div|li|h[1-6]|blockquote|pre|tr)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (match, entity) => {
      if (entity[0] === '#') {
        const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
      }
      return ENTITIES[entity.toLowerCase()] ?? match;
    })
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function text(value) {
  if (value === null || value === undefined) return null;
  const result = String(value).trim();
  return result ? result : null;
}

function isoOrNull(value) {
  if (value === null || value === undefined || value === '') return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** customer, agent or bot for one ZAF comment (rules at the top of this file). */
export function commentAuthor(comment, {requesterId = null, botUserIds = []} = {}) {
  const author = comment && comment.author ? comment.author : null;
  const authorId = author && author.id !== undefined && author.id !== null ? String(author.id) : null;
  const via = comment && comment.via && typeof comment.via === 'object' ? comment.via : {};
  const channel = via.channel || via.source?.channel || comment?.channel || null;
  if ((authorId && botUserIds.map(String).includes(authorId)) || (channel && BOT_CHANNELS.has(String(channel)))) return 'bot';
  const role = author && author.role ? String(author.role).toLowerCase() : null;
  if (!role) {
    return authorId !== null && requesterId !== null && authorId === String(requesterId) ? 'customer' : 'agent';
  }
  return role === 'end-user' || role === 'end_user' || role === 'enduser' ? 'customer' : 'agent';
}

function commentPublic(comment) {
  for (const key of ['isPublic', 'public']) {
    if (typeof comment[key] === 'boolean') return comment[key];
  }
  if (typeof comment.type === 'string') return comment.type.toLowerCase() !== 'internal';
  return true;
}

/** The sidecar's comment JSON from one ZAF comment, or null if it has no text. */
export function toSidecarComment(comment, options) {
  const body = htmlToText(comment.value ?? comment.body ?? comment.htmlBody ?? comment.html_body ?? '');
  if (!body) return null;
  return {
    author: commentAuthor(comment, options),
    body,
    public: commentPublic(comment),
    created_at: isoOrNull(comment.createdAt ?? comment.created_at ?? comment.timestamp),
  };
}

function number(value) {
  if (value === null || value === undefined || value === '') return null;
  const parsed = typeof value === 'number' ? value : Number(String(value).replace(/[$€£,\s]/g, ''));
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : null;
}

function dateOnly(value) {
  const match = /^(\d{4}-\d{2}-\d{2})/.exec(String(value ?? ''));
  return match && !Number.isNaN(Date.parse(match[1])) ? match[1] : null;
}

/** The sidecar's organisation JSON: name, tier / arr / renewal_date from organisation fields, the rest kept. */
export function toSidecarOrganization(organization) {
  if (!organization || typeof organization !== 'object') return null;
  const fields = {...(organization.organizationFields || organization.organization_fields || {})};
  const result = {name: text(organization.name)};
  const tier = fields[ORGANIZATION_FIELDS.tier];
  const arr = number(fields[ORGANIZATION_FIELDS.arr]);
  const renewal = dateOnly(fields[ORGANIZATION_FIELDS.renewal_date]);
  delete fields[ORGANIZATION_FIELDS.tier];
  delete fields[ORGANIZATION_FIELDS.arr];
  delete fields[ORGANIZATION_FIELDS.renewal_date];
  if (text(tier)) result.tier = String(tier).trim();
  if (arr !== null) result.arr = arr;
  if (renewal) result.renewal_date = renewal;
  if (organization.id !== undefined && organization.id !== null) result.id = String(organization.id);
  for (const [key, value] of Object.entries(fields)) {
    if (!(key in result) && value !== null && value !== undefined && value !== '') result[key] = value;
  }
  return result;
}

function tagsOf(ticket) {
  const tags = ticket.tags;
  if (Array.isArray(tags)) return tags.map(String).filter(Boolean);
  if (typeof tags === 'string') return tags.split(/[\s,]+/).filter(Boolean);
  return [];
}

/**
 * The sidecar's ticket JSON from ZAF data: {ticket, comments, requester, organization}, the
 * objects client.get(TICKET_PATHS) returns under 'ticket', 'ticket.comments', 'ticket.requester'
 * and 'ticket.organization' (requester/organization/comments may also sit inside ticket).
 */
/** The requester as the sidecar reads it; the locale ("de", "pt-BR") lets routing prefer an expert who speaks it. */
function requesterOf(person) {
  const requester = {name: text(person.name), email: text(person.email)};
  const locale = text(person.locale);
  if (locale) requester.locale = locale;
  return requester;
}

export function toSidecarTicket({ticket, comments, requester, organization} = {}, {botUserIds = []} = {}) {
  if (!ticket || ticket.id === undefined || ticket.id === null) throw new Error('no ticket is open');
  const person = requester || ticket.requester || null;
  const options = {requesterId: person && person.id !== undefined ? person.id : null, botUserIds};
  const mapped = (comments || ticket.comments || []).map((comment) => toSidecarComment(comment, options)).filter(Boolean);
  // The sidecar reads the conversation oldest first; sort when every comment has a time, else keep ZAF's order.
  const ordered = mapped.every((c) => c.created_at) ? [...mapped].sort((a, b) => a.created_at.localeCompare(b.created_at)) : mapped;
  const result = {
    id: String(ticket.id),
    source: 'zendesk',
    subject: text(ticket.subject) || '',
    description: htmlToText(ticket.description || ''),
    comments: ordered,
    requester: person ? requesterOf(person) : null,
    organization: toSidecarOrganization(organization || ticket.organization),
    priority: text(ticket.priority),
    status: text(ticket.status),
    tags: tagsOf(ticket),
  };
  const created = isoOrNull(ticket.createdAt ?? ticket.created_at);
  const updated = isoOrNull(ticket.updatedAt ?? ticket.updated_at);
  if (created) result.created_at = created;
  if (updated) result.updated_at = updated;
  return result;
}

const JIRA_KEY = /^[A-Z][A-Z0-9_]{0,30}-[1-9][0-9]{0,9}$/;

/** A Jira issue key if `value` is one ("ESC-12"), else null. */
export function jiraKeyOrNull(value) {
  const key = String(value ?? '').trim().toUpperCase();
  return JIRA_KEY.test(key) ? key : null;
}

/** Read the open ticket from ZAF: {ticket (sidecar JSON), jiraKey (from the Jira key field, if set)}. */
export async function readTicket(client, {botUserIds = [], jiraKeyFieldId = ''} = {}) {
  const paths = [...TICKET_PATHS];
  const fieldPath = jiraKeyFieldId ? `ticket.customField:custom_field_${jiraKeyFieldId}` : null;
  if (fieldPath) paths.push(fieldPath);
  const data = await client.get(paths);
  const ticket = toSidecarTicket({
    ticket: data['ticket'],
    comments: data['ticket.comments'],
    requester: data['ticket.requester'],
    organization: data['ticket.organization'],
  }, {botUserIds});
  return {ticket, jiraKey: fieldPath ? jiraKeyOrNull(data[fieldPath]) : null};
}
