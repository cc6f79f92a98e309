import { sql, type Transaction } from 'kysely';
import type { Scope } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { attioRecordWebUrl } from '../connectors/attio/links.js';
import {
  conversationViewFromRows,
  STALLED_SUBJECT_PREFIX,
  type AttioDealView,
  type AttioTaskView,
  type ConversationView,
  type LinearIssueView,
  type SignalResolution,
  type SignalSettings,
} from './detectors/index.js';

type Trx = Transaction<DB>;

/** The project's detector settings (`projects.signal_settings`); the defaults fill the rest. */
export async function loadSignalSettings(trx: Trx, scope: Scope): Promise<Partial<SignalSettings>> {
  const row = await trx
    .selectFrom('projects')
    .select('signal_settings')
    .where('id', '=', scope.projectId)
    .executeTakeFirst();
  return (row?.signal_settings ?? {}) as Partial<SignalSettings>;
}

/**
 * The detectors' views of the given conversations, built from the stored rows in three reads
 * (conversations, contacts, messages), whatever their number.
 */
export async function loadConversationViews(
  trx: Trx,
  scope: Scope,
  conversationIds: readonly string[],
): Promise<ConversationView[]> {
  if (conversationIds.length === 0) return [];
  const ids = [...new Set(conversationIds)];
  const conversations = await trx
    .selectFrom('cw_conversations')
    .select(['id', 'status', 'contact_global_id', 'last_activity_at'])
    .where('project_id', '=', scope.projectId)
    .where('id', 'in', ids)
    .execute();
  if (conversations.length === 0) return [];
  const contactIds = [
    ...new Set(conversations.flatMap((c) => (c.contact_global_id ? [c.contact_global_id] : []))),
  ];
  const contacts =
    contactIds.length === 0
      ? []
      : await trx
          .selectFrom('cw_contacts')
          .select(['id', 'name'])
          .where('project_id', '=', scope.projectId)
          .where('id', 'in', contactIds)
          .execute();
  // Only what the detectors read of `data` (the sender's name, attachments, the deleted flag):
  // a message's full payload can be many times its text.
  const messages = await trx
    .selectFrom('cw_messages')
    .select([
      'id',
      'conversation_global_id',
      'message_type',
      'private',
      'sender_type',
      'sender_id',
      'content',
      'source_created_at',
      'created_at',
      sql<unknown>`jsonb_build_object(
        'sender', jsonb_build_object('name', data->'sender'->'name'),
        'attachments', data->'attachments',
        'content_attributes', jsonb_build_object('deleted', data->'content_attributes'->'deleted'))`.as(
        'data',
      ),
    ])
    .where('project_id', '=', scope.projectId)
    .where(
      'conversation_global_id',
      'in',
      conversations.map((c) => c.id),
    )
    .execute();
  const contactById = new Map(contacts.map((c) => [c.id, c]));
  const byConversation = new Map<string, typeof messages>();
  for (const m of messages) {
    const list = byConversation.get(m.conversation_global_id) ?? [];
    list.push(m);
    byConversation.set(m.conversation_global_id, list);
  }
  return conversations.map((c) =>
    conversationViewFromRows(
      c,
      c.contact_global_id ? (contactById.get(c.contact_global_id) ?? null) : null,
      byConversation.get(c.id) ?? [],
    ),
  );
}

const iso = (at: Date | string | null) => (at === null ? null : new Date(at).toISOString());

/** Whether the row's `stalled` subject (prefix + id) has an open or snoozed signal. */
function hasOpenStalled(projectId: string, prefix: string, id: ReturnType<typeof sql.ref>) {
  return sql<boolean>`(${prefix} || ${id}) in (select s.subject_key from signals s
    where s.project_id = ${projectId}::uuid and s.detector = 'stalled'
      and s.status in ('open', 'snoozed'))`;
}

/**
 * The open `stalled` signals whose Linear issue, Attio task or deal is no longer stored: deleted
 * at the source, so removed by its sync or webhook. No view carries such an item, so the detector
 * never evaluates it again and its signal would stay open for good; each is closed with a reason
 * of its own (`resolutions`, detectors/types.ts) by the run that finds it gone.
 */
export async function loadStalledOfDeletedItems(
  trx: Trx,
  scope: Scope,
): Promise<SignalResolution[]> {
  const gone = DELETABLE_ITEMS.map(
    ({ prefix, table }) =>
      sql`(starts_with(s.subject_key, ${prefix}) and not exists (select 1 from ${sql.table(table)} r
        where r.project_id = s.project_id and r.id = substr(s.subject_key, ${prefix.length + 1}::int)))`,
  );
  const { rows } = await sql<{ fingerprint: string; subject_key: string }>`
    select s.fingerprint, s.subject_key from signals s
    where s.project_id = ${scope.projectId}::uuid and s.detector = 'stalled'
      and s.status in ('open', 'snoozed') and (${sql.join(gone, sql` or `)})
  `.execute(trx);
  return rows.map(({ fingerprint, subject_key }) => ({
    fingerprint,
    detector: 'stalled',
    subject_key,
    why: DELETABLE_ITEMS.find((item) => subject_key.startsWith(item.prefix))!.why,
  }));
}

/** The work items a `stalled` signal can name, where each is stored, and what closes it if gone. */
const DELETABLE_ITEMS = [
  {
    prefix: STALLED_SUBJECT_PREFIX.linear_issue,
    table: 'lin_issues',
    why: 'the issue was deleted in Linear',
  },
  {
    prefix: STALLED_SUBJECT_PREFIX.attio_task,
    table: 'att_tasks',
    why: 'the task was deleted in Attio',
  },
  {
    prefix: STALLED_SUBJECT_PREFIX.attio_deal,
    table: 'att_deals',
    why: 'the deal was deleted in Attio',
  },
] as const;

/**
 * The Linear issues, Attio tasks and deals the `stalled` detector judges, one read each: the
 * issues and tasks that are open with a date to miss, plus those whose stalled signal is still
 * open (so completing one is seen and resolves it), and every deal (few; a closed stage resolves).
 * What a deal last saw is the newest of its current values' `active_from`, its notes and tasks.
 */
export async function loadWorkItemViews(
  trx: Trx,
  scope: Scope,
): Promise<{
  linear_issues: LinearIssueView[];
  attio_tasks: AttioTaskView[];
  attio_deals: AttioDealView[];
}> {
  const project = scope.projectId;
  const issues = await sql<{
    id: string;
    identifier: string;
    title: string;
    url: string;
    state_type: string;
    due_date: string | null;
    archived_at: Date | null;
    project_id: string | null;
    project_name: string | null;
  }>`
    select i.id, i.identifier, i.title, i.url, i.state_type,
      to_char(i.due_date, 'YYYY-MM-DD') as due_date, i.archived_at,
      p.id as project_id, p.name as project_name
    from lin_issues i
    left join lin_projects p on p.project_id = i.project_id and p.id = i.linear_project_id
    where i.project_id = ${project}::uuid and i.due_date is not null
      and ((i.state_type not in ('completed', 'canceled') and i.archived_at is null)
        or ${hasOpenStalled(project, STALLED_SUBJECT_PREFIX.linear_issue, sql.ref('i.id'))})
  `.execute(trx);
  const tasks = await sql<{
    id: string;
    content: string;
    deadline_at: Date | null;
    is_completed: boolean;
    url: string | null;
    deal_id: string | null;
  }>`
    select t.id, t.content_plaintext as content, t.deadline_at, t.is_completed,
      ${attioRecordWebUrl(sql`${project}::uuid`, sql`t.linked_record_ids[1]`)} as url,
      (select d.id from att_deals d where d.project_id = t.project_id
        and d.id = any(t.linked_record_ids) limit 1) as deal_id
    from att_tasks t
    where t.project_id = ${project}::uuid and t.deadline_at is not null
      and (not t.is_completed
        or ${hasOpenStalled(project, STALLED_SUBJECT_PREFIX.attio_task, sql.ref('t.id'))})
  `.execute(trx);
  const deals = await sql<{
    id: string;
    name: string | null;
    stage: string | null;
    value: string | null;
    currency: string | null;
    web_url: string;
    source_created_at: Date;
    last_activity_at: Date | null;
  }>`
    select d.id, d.name, d.stage, d.value, d.currency, d.web_url, d.source_created_at,
      greatest(
        (select max((v->>'active_from')::timestamptz)
          from jsonb_each(d.data->'values') a(slug, list), jsonb_array_elements(a.list) v),
        (select max(n.source_created_at) from att_notes n
          where n.project_id = d.project_id and n.parent_record_id = d.id),
        (select max(t.source_created_at) from att_tasks t
          where t.project_id = d.project_id and d.id = any(t.linked_record_ids))
      ) as last_activity_at
    from att_deals d where d.project_id = ${project}::uuid
  `.execute(trx);
  return {
    linear_issues: issues.rows.map((i) => ({
      id: i.id,
      identifier: i.identifier,
      title: i.title,
      url: i.url,
      state_type: i.state_type,
      due_date: i.due_date,
      archived_at: iso(i.archived_at),
      project: i.project_id ? { id: i.project_id, name: i.project_name ?? '' } : null,
    })),
    attio_tasks: tasks.rows.map((t) => ({
      id: t.id,
      content: t.content,
      url: t.url,
      deadline_at: iso(t.deadline_at),
      is_completed: t.is_completed,
      deal_id: t.deal_id,
    })),
    attio_deals: deals.rows.map((d) => ({
      id: d.id,
      name: d.name ?? '',
      web_url: d.web_url,
      stage: d.stage === null ? null : { title: d.stage },
      value:
        d.value === null || d.currency === null
          ? null
          : { amount: Number(d.value), currency: d.currency },
      last_activity_at: iso(d.last_activity_at),
      created_at: iso(d.source_created_at)!,
    })),
  };
}
