import { createHash } from 'node:crypto';
import type { AttioObject } from './client.js';
import {
  VALUE_SCHEMAS,
  type AttioMember,
  type AttioNote,
  type AttioRecord,
  type AttioTask,
  type TypedValue,
  type ValueType,
} from './payloads.js';

/**
 * Attio entities as rows of the att_* tables (db/migrations/0029_attio.sql), without the scope
 * columns. `data` is the entity as read, with only the current values of a record (Attio keeps
 * history; a value is current while `active_until` is null, API-NOTES §3), and `content_hash` a
 * hash of `data` with its keys sorted, so the same entity always hashes the same whatever order
 * the API serialised it in. With no `updated_at` in Attio, the hash is how a re-sync knows what
 * changed.
 */

interface Common {
  id: string;
  workspace_id: string;
  source_created_at: string;
  data: Record<string, unknown>;
  content_hash: string;
}

interface RecordCommon extends Common {
  object_id: string;
  name: string | null;
  web_url: string;
}

export type AttMemberRow = Common & {
  first_name: string;
  last_name: string;
  email: string;
  access_level: string;
};
export type AttCompanyRow = RecordCommon & { domains: string[] };
export type AttPersonRow = RecordCommon & {
  emails: string[];
  phones: string[];
  company_id: string | null;
  job_title: string | null;
};
export type AttDealRow = RecordCommon & {
  stage: string | null;
  value: number | null;
  currency: string | null;
  owner_member_id: string | null;
  company_id: string | null;
  people_ids: string[];
};
export type AttNoteRow = Common & {
  parent_object: string;
  parent_record_id: string;
  title: string;
  content_plaintext: string;
  content_markdown: string;
};
export type AttTaskRow = Common & {
  content_plaintext: string;
  deadline_at: string | null;
  is_completed: boolean;
  linked_record_ids: string[];
  assignee_ids: string[];
};

export interface AttRows {
  members: AttMemberRow;
  companies: AttCompanyRow;
  people: AttPersonRow;
  deals: AttDealRow;
  notes: AttNoteRow;
  tasks: AttTaskRow;
}
export type AttioEntityKind = keyof AttRows;

export const ATT_TABLES = {
  members: 'att_members',
  companies: 'att_companies',
  people: 'att_people',
  deals: 'att_deals',
  notes: 'att_notes',
  tasks: 'att_tasks',
} as const satisfies Record<AttioEntityKind, string>;

/** JSON with object keys sorted at every level (arrays keep their order). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
}

export const contentHash = (data: unknown) =>
  createHash('sha256').update(canonicalJson(data)).digest('hex');

function common(workspaceId: string, id: string, createdAt: string, data: object): Common {
  const record = data as Record<string, unknown>;
  return {
    id,
    workspace_id: workspaceId,
    source_created_at: createdAt,
    data: record,
    content_hash: contentHash(record),
  };
}

/** The current values of one attribute that have the expected type (others are skipped). */
export function currentValues<T extends ValueType>(
  record: AttioRecord,
  slug: string,
  type: T,
): TypedValue<T>[] {
  const out: TypedValue<T>[] = [];
  for (const value of record.values[slug] ?? []) {
    if (value.active_until !== null || value.attribute_type !== type) continue;
    const parsed = VALUE_SCHEMAS[type].safeParse(value);
    if (parsed.success) out.push(parsed.data as TypedValue<T>);
  }
  return out;
}

/** The record with only its current values: what is stored and hashed. */
function currentRecord(record: AttioRecord): AttioRecord {
  const values: AttioRecord['values'] = {};
  for (const [slug, list] of Object.entries(record.values))
    values[slug] = list.filter((v) => v.active_until === null);
  return { ...record, values };
}

function recordCommon(record: AttioRecord, name: string | null): RecordCommon {
  const current = currentRecord(record);
  return {
    ...common(record.id.workspace_id, record.id.record_id, record.created_at, current),
    object_id: record.id.object_id,
    name,
    web_url: record.web_url,
  };
}

const text = (record: AttioRecord, slug: string) =>
  currentValues(record, slug, 'text')[0]?.value ?? null;
const references = (record: AttioRecord, slug: string) =>
  currentValues(record, slug, 'record-reference').map((v) => v.target_record_id);
const unique = (values: string[]) => [...new Set(values)];

export const normalize = {
  members: (m: AttioMember): AttMemberRow => ({
    ...common(m.id.workspace_id, m.id.workspace_member_id, m.created_at, m),
    first_name: m.first_name,
    last_name: m.last_name,
    email: m.email_address.trim().toLowerCase(),
    access_level: m.access_level,
  }),
  companies: (r: AttioRecord): AttCompanyRow => ({
    ...recordCommon(r, text(r, 'name')),
    domains: unique(
      currentValues(r, 'domains', 'domain').map((d) => d.domain.trim().toLowerCase()),
    ),
  }),
  people: (r: AttioRecord): AttPersonRow => ({
    ...recordCommon(r, currentValues(r, 'name', 'personal-name')[0]?.full_name ?? null),
    emails: unique(
      currentValues(r, 'email_addresses', 'email-address').map((e) =>
        e.email_address.trim().toLowerCase(),
      ),
    ),
    phones: unique(currentValues(r, 'phone_numbers', 'phone-number').map((p) => p.phone_number)),
    company_id: references(r, 'company')[0] ?? null,
    job_title: text(r, 'job_title'),
  }),
  deals: (r: AttioRecord): AttDealRow => {
    const value = currentValues(r, 'value', 'currency')[0];
    const owner = currentValues(r, 'owner', 'actor-reference').find(
      (o) => o.referenced_actor_type === 'workspace-member',
    );
    return {
      ...recordCommon(r, text(r, 'name')),
      stage: currentValues(r, 'stage', 'status')[0]?.status.title ?? null,
      value: value?.currency_value ?? null,
      currency: value?.currency_code ?? null,
      owner_member_id: owner?.referenced_actor_id ?? null,
      company_id: references(r, 'associated_company')[0] ?? null,
      people_ids: references(r, 'associated_people'),
    };
  },
  notes: (n: AttioNote): AttNoteRow => ({
    ...common(n.id.workspace_id, n.id.note_id, n.created_at, n),
    parent_object: n.parent_object,
    parent_record_id: n.parent_record_id,
    title: n.title,
    content_plaintext: n.content_plaintext,
    content_markdown: n.content_markdown,
  }),
  tasks: (t: AttioTask): AttTaskRow => ({
    ...common(t.id.workspace_id, t.id.task_id, t.created_at, t),
    content_plaintext: t.content_plaintext,
    deadline_at: t.deadline_at,
    is_completed: t.is_completed,
    linked_record_ids: t.linked_records.map((l) => l.target_record_id),
    assignee_ids: t.assignees
      .filter((a) => a.referenced_actor_type === 'workspace-member')
      .map((a) => a.referenced_actor_id),
  }),
};

/** The object a record kind lists. */
export const RECORD_OBJECTS = ['companies', 'people', 'deals'] as const satisfies AttioObject[];
