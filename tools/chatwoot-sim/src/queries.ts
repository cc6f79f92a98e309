// The read side of the Application API: filters, sorting and paging as Chatwoot's finders do them.
import type { AccountState } from './account-state.js';
import type { MessageRecord } from './conversation-messages.js';
import { contactModel, conversationItem, messagesMeta, restMessage } from './shapes.js';
import type { Contact, ConversationRecord, ConversationStatus } from './world.js';

/** CONVERSATION_RESULTS_PER_PAGE default. */
export const CONVERSATIONS_PER_PAGE = 25;
/** RESULTS_PER_PAGE in the contacts controller. */
export const CONTACTS_PER_PAGE = 15;
const MESSAGES_BEFORE_LIMIT = 20;
const MESSAGES_AFTER_LIMIT = 100;
const MESSAGES_RANGE_LIMIT = 1000;

export type Query = Record<string, string | string[] | undefined>;

function one(query: Query, key: string): string | undefined {
  const value = query[key];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

function many(query: Query, key: string): string[] {
  const value = query[key] ?? query[`${key}[]`];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function positiveInt(value: string | undefined): number | null {
  if (value === undefined || value === '') return null;
  const parsed = Number.parseInt(value, 10);
  return Number.isFinite(parsed) ? parsed : null;
}

const PRIORITY_RANK: Record<string, number> = { low: 1, medium: 2, high: 3, urgent: 4 };

type SortKey = (c: ConversationRecord) => number;

export function listConversations(
  account: AccountState,
  query: Query,
  nowSeconds: number,
): Record<string, unknown> {
  const status = one(query, 'status') ?? 'open';
  const q = one(query, 'q');
  const inboxId = positiveInt(one(query, 'inbox_id'));
  const teamId = positiveInt(one(query, 'team_id'));
  const labels = many(query, 'labels');
  const updatedWithin = positiveInt(one(query, 'updated_within'));
  const me = account.world.tokenUserId;

  let matches = account.world.conversations.filter((c) => {
    // With q present Chatwoot skips the status filter.
    if (!q && status !== 'all' && c.status !== (status as ConversationStatus)) return false;
    if (inboxId !== null && c.inboxId !== inboxId) return false;
    if (teamId !== null && c.teamId !== teamId) return false;
    if (labels.length > 0 && !labels.some((label) => c.labels.includes(label))) return false;
    return true;
  });
  if (q) {
    const needle = q.toLowerCase();
    matches = matches.filter((c) =>
      account
        .messagesOf(c)
        .some(
          (m) =>
            (m.messageType === 0 || m.messageType === 1) &&
            (m.content ?? '').toLowerCase().includes(needle),
        ),
    );
  }
  if (updatedWithin !== null) {
    const since = nowSeconds - updatedWithin;
    matches = matches.filter((c) => account.updatedAt(c) > since);
  }

  const unassigned = matches.filter((c) => c.assigneeId === null).length;
  const meta = {
    mine_count: matches.filter((c) => c.assigneeId === me).length,
    assigned_count: matches.length - unassigned,
    unassigned_count: unassigned,
    all_count: matches.length,
  };

  const assigneeType = one(query, 'assignee_type');
  if (assigneeType === 'me') matches = matches.filter((c) => c.assigneeId === me);
  else if (assigneeType === 'unassigned') matches = matches.filter((c) => c.assigneeId === null);
  else if (assigneeType === 'assigned') matches = matches.filter((c) => c.assigneeId !== null);

  const sorted = sortConversations(account, matches, one(query, 'sort_by'));
  let page = sorted;
  if (updatedWithin === null) {
    const pageNumber = Math.max(1, positiveInt(one(query, 'page')) ?? 1);
    page = sorted.slice(
      (pageNumber - 1) * CONVERSATIONS_PER_PAGE,
      pageNumber * CONVERSATIONS_PER_PAGE,
    );
  }
  return { data: { meta, payload: page.map((c) => conversationItem(account, c)) } };
}

function sortConversations(
  account: AccountState,
  list: ConversationRecord[],
  sortBy: string | undefined,
): ConversationRecord[] {
  const keyed = (key: SortKey, direction: 1 | -1, then?: SortKey, thenDirection: 1 | -1 = -1) => {
    const cache = new Map<number, [number, number]>();
    for (const c of list) cache.set(c.index, [key(c), then ? then(c) : c.displayId]);
    return [...list].sort((a, b) => {
      const [ka, ta] = cache.get(a.index)!;
      const [kb, tb] = cache.get(b.index)!;
      if (ka !== kb) return (ka - kb) * direction;
      if (ta !== tb) return (ta - tb) * thenDirection;
      return (a.displayId - b.displayId) * thenDirection;
    });
  };
  const lastActivity: SortKey = (c) => account.lastActivityAt(c);
  const created: SortKey = (c) => c.createdAt;
  const priority: SortKey = (c) => (c.priority === null ? 0 : (PRIORITY_RANK[c.priority] ?? 0));
  const waiting: SortKey = (c) => account.summary(c).waitingSince || Number.MAX_SAFE_INTEGER;
  switch (sortBy) {
    case 'last_activity_at_asc':
      return keyed(lastActivity, 1, undefined, 1);
    case 'created_at_asc':
    case 'sort_on_created_at':
      return keyed(created, 1, undefined, 1);
    case 'created_at_desc':
      return keyed(created, -1);
    case 'priority_asc':
      return keyed(priority, 1, lastActivity);
    case 'priority_desc':
    case 'sort_on_priority':
      return keyed(priority, -1, lastActivity);
    case 'priority_desc_created_at_asc':
      return keyed(priority, -1, created, 1);
    case 'waiting_since_asc':
    case 'sort_on_waiting_since':
      return keyed(waiting, 1, undefined, 1);
    case 'waiting_since_desc':
      return keyed(waiting, -1);
    case 'unread':
      return keyed((c) => account.summary(c).unreadCount, -1, lastActivity);
    default:
      // last_activity_at_desc, "latest" and any unknown value.
      return keyed(lastActivity, -1);
  }
}

export function conversationCounts(
  account: AccountState,
  query: Query,
  nowSeconds: number,
): Record<string, unknown> {
  const listed = listConversations(
    account,
    { ...query, updated_within: undefined, page: '1' },
    nowSeconds,
  ) as { data: { meta: unknown } };
  return { meta: listed.data.meta };
}

export function listMessages(
  account: AccountState,
  conversation: ConversationRecord,
  query: Query,
): Record<string, unknown> {
  const summary = account.summary(conversation);
  let messages: MessageRecord[] = summary.messages;
  if (one(query, 'filter_internal_messages') === 'true')
    messages = messages.filter((m) => !m.private && m.messageType !== 2);
  const before = positiveInt(one(query, 'before'));
  const after = positiveInt(one(query, 'after'));
  let page: MessageRecord[];
  if (after !== null && before !== null) {
    // Both cursors: after is inclusive here, unlike after alone.
    page = messages.filter((m) => m.id >= after && m.id < before).slice(0, MESSAGES_RANGE_LIMIT);
  } else if (after !== null) {
    page = messages.filter((m) => m.id > after).slice(0, MESSAGES_AFTER_LIMIT);
  } else if (before !== null) {
    page = messages.filter((m) => m.id < before).slice(-MESSAGES_BEFORE_LIMIT);
  } else {
    page = messages.slice(-MESSAGES_BEFORE_LIMIT);
  }
  return {
    meta: messagesMeta(account, conversation, summary),
    payload: page.map((m) => restMessage(account, conversation, m)),
  };
}

/** Only "resolved" contacts (email, phone or identifier) are listed. */
export function isListedContact(contact: Contact): boolean {
  return Boolean(contact.email || contact.phoneNumber || contact.identifier);
}

export function listContacts(account: AccountState, query: Query): Record<string, unknown> {
  const listed = account.world.contacts.filter(isListedContact);
  const sort = one(query, 'sort');
  const sorted = sort ? sortContacts(account, listed, sort) : listed;
  const rawPage = one(query, 'page');
  const pageNumber = Math.max(1, positiveInt(rawPage) ?? 1);
  const withInboxes = one(query, 'include_contact_inboxes') !== 'false';
  return {
    // current_page echoes the parameter as sent: the string "2", or the integer 1 when absent.
    meta: { count: listed.length, current_page: rawPage ?? 1 },
    payload: sorted
      .slice((pageNumber - 1) * CONTACTS_PER_PAGE, pageNumber * CONTACTS_PER_PAGE)
      .map((c) => contactModel(account, c, withInboxes)),
  };
}

function sortContacts(account: AccountState, contacts: Contact[], sort: string): Contact[] {
  const descending = sort.startsWith('-');
  const field = descending ? sort.slice(1) : sort;
  const value = (c: Contact): string | number | null => {
    switch (field) {
      case 'name':
        return c.name.toLowerCase();
      case 'email':
        return c.email;
      case 'phone_number':
        return c.phoneNumber;
      case 'last_activity_at':
        return account.contactLastActivityAt(c);
      case 'created_at':
        return c.createdAt;
      case 'company_name':
        return (c.additionalAttributes['company_name'] as string | undefined) ?? null;
      case 'city':
        return (c.additionalAttributes['city'] as string | undefined) ?? null;
      case 'country':
        return (c.additionalAttributes['country'] as string | undefined) ?? null;
      default:
        return c.id;
    }
  };
  const keyed = contacts.map((c) => ({ c, v: value(c) }));
  keyed.sort((a, b) => {
    if (a.v === b.v) return a.c.id - b.c.id;
    if (a.v === null) return 1;
    if (b.v === null) return -1;
    const order = a.v < b.v ? -1 : 1;
    return descending ? -order : order;
  });
  return keyed.map((k) => k.c);
}
