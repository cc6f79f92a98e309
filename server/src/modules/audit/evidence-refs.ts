import type { ResolvedEvidence } from '@cairn/contract';
import { sql, type RawBuilder } from 'kysely';
import type { EvidenceRef } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import type { Executor } from '../../db/scoped-sql.js';
import { attioActorName, attioRecordWebUrl } from '../connectors/attio/links.js';

type RowSource = Exclude<EvidenceRef['source'], 'external'>;

const ROW_SOURCES: readonly RowSource[] = [
  'cw_messages',
  'cw_conversations',
  'rag_chunks',
  'lin_issues',
  'lin_comments',
  'att_notes',
  'att_tasks',
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The stable-id prefix of each Linear and Attio row kind: the chunk ids of
 * connectors/linear/chunks.ts and connectors/attio/chunks.ts, `<prefix>:<project>:<id>`, which
 * search hits carry as `message_global_id`. A ref may name the row either way.
 */
const STABLE_PREFIX: Partial<Record<RowSource, string>> = {
  lin_issues: 'lin',
  lin_comments: 'lincmt',
  att_notes: 'atn',
  att_tasks: 'att',
};

/**
 * The id of the row a ref names: the ref itself, or the id inside a stable id of this project.
 * Another project's stable id gives null, so it reads as missing like an unknown id.
 */
function rowIdOf(source: RowSource, ref: string, projectId: string): string | null {
  const prefix = STABLE_PREFIX[source];
  if (!prefix || !ref.startsWith(`${prefix}:`)) return ref;
  const [, project, ...rest] = ref.split(':');
  return project === projectId && rest.length > 0 ? rest.join(':') : null;
}

/** The Linear or Attio row kind a stable id (`lin:…`, `atn:…`) names, if it is one. */
function sourceOfStableId(id: string): RowSource | null {
  const prefix = id.slice(0, id.indexOf(':'));
  const found = Object.entries(STABLE_PREFIX).find(([, p]) => p === prefix);
  return found ? (found[0] as RowSource) : null;
}

/**
 * Checks that every ref to a row (message, conversation, chunk, Linear issue or comment, Attio
 * note or task) names a row of `projectId`; `external` refs are kept as given. Run inside the
 * scoped transaction of the write that stores the refs: row-level security then hides other
 * projects' rows, so a foreign id reads as missing and is rejected exactly like an unknown one
 * (400, naming the index), never revealing it exists.
 */
export async function validateEvidenceRefs(
  executor: Executor,
  projectId: string,
  refs: EvidenceRef[],
): Promise<EvidenceRef[]> {
  const invalid: { field: string; message: string }[] = [];
  for (const [index, ref] of refs.entries()) {
    if (ref.source === 'external') continue;
    if (!ROW_SOURCES.includes(ref.source)) {
      invalid.push({
        field: `evidence_refs.${index}.source`,
        message: `unknown source ${String(ref.source)}`,
      });
      continue;
    }
    if (ref.source === 'rag_chunks' && !UUID.test(ref.ref)) {
      invalid.push({
        field: `evidence_refs.${index}.ref`,
        message: 'a rag_chunks ref is a chunk uuid',
      });
      continue;
    }
    const id = rowIdOf(ref.source, ref.ref, projectId);
    const { rows } =
      id === null
        ? { rows: [] }
        : await sql<{ found: boolean }>`
      select exists (
        select 1 from ${sql.table(ref.source)}
        where id = ${id}${ref.source === 'rag_chunks' ? sql`::uuid` : sql``}
          and project_id = ${projectId}::uuid
      ) as found`.execute(executor);
    if (!rows[0]?.found) {
      invalid.push({
        field: `evidence_refs.${index}.ref`,
        message: `no ${ref.source} row ${ref.ref} in the active project`,
      });
    }
  }
  if (invalid.length > 0) {
    throw new AppError('invalid_input', `evidence refs do not resolve: ${invalid[0]!.message}`, {
      fields: invalid,
    });
  }
  return refs.map((r) => ({
    source: r.source,
    ref: r.ref,
    ...(r.snippet === undefined ? {} : { snippet: r.snippet }),
    ...(r.meta === undefined ? {} : { meta: r.meta }),
  }));
}

type Shown = Omit<ResolvedEvidence, 'source' | 'ref' | 'found'> & { message_global_id?: string };

/**
 * What one row says, who, when and where, per kind. Each reads one row of the project by id
 * (row-level security holds it to the project as well). Linear's issue is shown by its assignee:
 * the connector does not read an issue's creator (connectors/linear/payloads.ts).
 */
const READ_ROW: Record<RowSource, (project: RawBuilder<unknown>, id: string) => RawBuilder<Shown>> =
  {
    cw_messages: (project, id) => sql<Shown>`
      select m.content as text, coalesce(m.data->'sender'->>'name', m.sender_type) as author,
        m.source_created_at as at, null as deep_link, m.conversation_global_id as conversation_id
      from cw_messages m where m.project_id = ${project} and m.id = ${id}`,
    cw_conversations: (project, id) => sql<Shown>`
      select null as text, ct.name as author, cv.last_activity_at as at, null as deep_link,
        cv.id as conversation_id
      from cw_conversations cv
      left join cw_contacts ct on ct.project_id = cv.project_id and ct.id = cv.contact_global_id
      where cv.project_id = ${project} and cv.id = ${id}`,
    rag_chunks: (project, id) => sql<Shown>`
      select c.text, null as author, null as at, null as deep_link,
        case when c.source_kind = 'chatwoot' then c.conversation_global_id end as conversation_id,
        c.message_global_id
      from rag_chunks c where c.project_id = ${project} and c.id = ${id}::uuid`,
    lin_issues: (project, id) => sql<Shown>`
      select concat_ws(E'\n\n', i.identifier || ' ' || i.title, nullif(btrim(i.description), ''))
          as text,
        i.data->'assignee'->>'name' as author, i.source_created_at as at, i.url as deep_link,
        null as conversation_id
      from lin_issues i where i.project_id = ${project} and i.id = ${id}`,
    lin_comments: (project, id) => sql<Shown>`
      select c.body as text, c.data->'user'->>'name' as author, c.source_created_at as at,
        c.url as deep_link, null as conversation_id
      from lin_comments c where c.project_id = ${project} and c.id = ${id}`,
    att_notes: (project, id) => sql<Shown>`
      select concat_ws(E'\n\n', n.title, nullif(btrim(n.content_plaintext), '')) as text,
        ${attioActorName(project, sql`n.data->'created_by_actor'`)} as author,
        n.source_created_at as at,
        ${attioRecordWebUrl(project, sql.ref('n.parent_record_id'))} as deep_link,
        null as conversation_id
      from att_notes n where n.project_id = ${project} and n.id = ${id}`,
    att_tasks: (project, id) => sql<Shown>`
      select t.content_plaintext as text,
        ${attioActorName(project, sql`t.data->'created_by_actor'`)} as author,
        t.source_created_at as at,
        ${attioRecordWebUrl(project, sql`t.linked_record_ids[1]`)} as deep_link,
        null as conversation_id
      from att_tasks t where t.project_id = ${project} and t.id = ${id}`,
  };

const iso = (at: unknown) => (at ? new Date(at as string).toISOString() : null);

/** Only http(s) leaves Cairn as a link: an external ref of another scheme is shown as text. */
function httpUrl(ref: string): string | null {
  try {
    const url = new URL(ref);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

async function readRow(
  executor: Executor,
  projectId: string,
  source: RowSource,
  ref: string,
): Promise<Shown | null> {
  const id = rowIdOf(source, ref, projectId);
  if (id === null || (source === 'rag_chunks' && !UUID.test(id))) return null;
  const { rows } = await READ_ROW[source](sql`${projectId}::uuid`, id).execute(executor);
  const row = rows[0];
  if (!row) return null;
  const shown = { ...row, at: iso(row.at) };
  // A chunk is shown with its message's (or Linear or Attio row's) author, time and place.
  if (source === 'rag_chunks' && row.message_global_id) {
    const kind = sourceOfStableId(row.message_global_id) ?? 'cw_messages';
    const parent = await readRow(executor, projectId, kind, row.message_global_id);
    if (parent) Object.assign(shown, { ...parent, text: row.text });
  }
  delete shown.message_global_id;
  return shown;
}

/**
 * Evidence refs read for display, in order: the cited text, who, when and a deep link, for every
 * kind a ref may name. Run in the project's scope; a row that is gone (or another project's, or
 * a source this reader does not know) is `found: false` with the ref's own snippet as its text.
 */
export async function resolveEvidenceRefs(
  executor: Executor,
  projectId: string,
  refs: readonly { source: string; ref: string; snippet?: string }[],
): Promise<ResolvedEvidence[]> {
  const out: ResolvedEvidence[] = [];
  for (const ref of refs) {
    const source = ref.source;
    const missing = {
      source: ref.source,
      ref: ref.ref,
      found: false,
      text: ref.snippet ?? null,
      author: null,
      at: null,
      deep_link: null,
      conversation_id: null,
    };
    if (source === 'external') {
      out.push({ ...missing, found: true, deep_link: httpUrl(ref.ref) });
      continue;
    }
    if (!(ROW_SOURCES as readonly string[]).includes(source)) {
      out.push(missing);
      continue;
    }
    const row = await readRow(executor, projectId, source as RowSource, ref.ref);
    out.push(row ? { source: ref.source, ref: ref.ref, found: true, ...row } : missing);
  }
  return out;
}
