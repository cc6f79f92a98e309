import { sql, type SelectQueryBuilder } from 'kysely';
import type { Database, Scope } from '../../db/database.js';
import type { DB, EvidenceRef } from '../../db/schema.js';
import { validateEvidenceRefs } from './evidence-refs.js';
import type { Executor } from '../../db/scoped-sql.js';

export interface AuditEvent {
  /** null for workspace events (sign-ins, users, roles, memberships, tokens): one chain of their own. */
  projectId: string | null;
  accountScopeId: string | null;
  actor: string;
  action: string;
  entityType: string;
  entityId?: string | null;
  status?: 'ok' | 'failed' | 'blocked' | 'denied';
  payload?: Record<string, unknown>;
  evidenceRefs?: EvidenceRef[];
  requestId?: string | null;
}

/**
 * Appends one audit event. Call it inside the transaction of the change it records, so the
 * change and its audit row commit together. Never put secrets in `payload`.
 *
 * The database does the rest (migration 0006): a trigger chains the row to the previous row of
 * its project under a per-project advisory lock, another indexes it into `evidence_items`, and
 * UPDATE, DELETE and TRUNCATE are refused.
 */
export async function recordAudit(executor: Executor, event: AuditEvent): Promise<void> {
  const evidenceRefs =
    event.evidenceRefs?.length && event.projectId
      ? await validateEvidenceRefs(executor, event.projectId, event.evidenceRefs)
      : (event.evidenceRefs ?? []);
  await executor
    .insertInto('audit_events')
    .values({
      project_id: event.projectId,
      account_scope_id: event.accountScopeId,
      actor: event.actor,
      action: event.action,
      entity_type: event.entityType,
      entity_id: event.entityId ?? null,
      status: event.status ?? 'ok',
      payload: JSON.stringify(event.payload ?? {}),
      evidence_refs: JSON.stringify(evidenceRefs),
      request_id: event.requestId ?? null,
    })
    .execute();
}

export interface AuditRow {
  id: number;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  status: string;
  payload: Record<string, unknown>;
  evidence_refs: Record<string, unknown>[];
  request_id: string | null;
  prev_hash: string | null;
  hash: string | null;
  created_at: Date;
}

const AUDIT_COLUMNS = [
  'id',
  'actor',
  'action',
  'entity_type',
  'entity_id',
  'status',
  'payload',
  'evidence_refs',
  'request_id',
  'prev_hash',
  'hash',
  'created_at',
] as const;

/** The active project's audit trail, newest first. */
export async function listAudit(options: {
  database: Database;
  scope: Scope;
  action?: string;
  entityId?: string;
  limit: number;
  offset: number;
}): Promise<{ events: AuditRow[]; total: number }> {
  const { database, scope } = options;
  return database.withScope(scope, async (trx) => {
    let query = trx
      .selectFrom('audit_events')
      .where('project_id', '=', scope.projectId)
      .where('account_scope_id', '=', scope.accountScopeId);
    if (options.action) query = query.where('action', '=', options.action);
    if (options.entityId) query = query.where('entity_id', '=', options.entityId);
    return pageOf(query, options);
  });
}

/** One page of a filtered audit query, newest first, with the filter's total. */
async function pageOf(
  query: SelectQueryBuilder<DB, 'audit_events', object>,
  page: { limit: number; offset: number },
): Promise<{ events: AuditRow[]; total: number }> {
  const [events, count] = await Promise.all([
    query
      .select(AUDIT_COLUMNS)
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow(),
  ]);
  return { events: events as unknown as AuditRow[], total: count.total };
}

export interface AuditVerification {
  valid: boolean;
  checked: number;
  first_broken: {
    id: number | null;
    reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'tail_missing';
  } | null;
}

/**
 * Walks one chain in id order: each row must carry the hash of the row before it and a hash that
 * matches its own content, and the last row must be the chain head the trigger recorded
 * (otherwise rows were cut off the end). Reports the first broken link. `projectId` null is the
 * workspace chain (sign-ins, users, roles, memberships, tokens).
 *
 * Read on the owner connection with the chain's filter written out: the workspace chain belongs
 * to no project, so row-level security would hide it, and the result holds only row ids and
 * counts, never a row's content. Which chains a caller may verify is the route's decision.
 */
export async function verifyAuditChain(options: {
  database: Database;
  projectId: string | null;
}): Promise<AuditVerification> {
  const { database, projectId } = options;
  const inChain =
    projectId === null ? sql`a.project_id is null` : sql`a.project_id = ${projectId}::uuid`;
  const { rows } = await sql<{
    id: number;
    reason: 'hash_mismatch' | 'prev_hash_mismatch' | null;
    checked: number;
    last_id: number | null;
    last_hash: string | null;
  }>`
    with chain as (
      select a.id, a.hash,
             a.prev_hash is distinct from lag(a.hash) over (order by a.id) as prev_broken,
             a.hash is distinct from audit_event_digest(a) as hash_broken
      from audit_events a
      where ${inChain}
    )
    select
      (select id from chain where prev_broken or hash_broken order by id limit 1) as id,
      (select case when hash_broken then 'hash_mismatch' else 'prev_hash_mismatch' end
         from chain where prev_broken or hash_broken order by id limit 1) as reason,
      (select count(*)::int from chain) as checked,
      (select id from chain order by id desc limit 1) as last_id,
      (select hash from chain order by id desc limit 1) as last_hash
  `.execute(database.db);
  const result = rows[0]!;
  if (result.id !== null && result.reason) {
    return {
      valid: false,
      checked: result.checked,
      first_broken: { id: result.id, reason: result.reason },
    };
  }
  const { rows: heads } = await sql<{ last_id: number; last_hash: string }>`
    select last_id, last_hash from audit_chain_head(${projectId}::uuid)`.execute(database.db);
  const head = heads[0];
  if (head && (head.last_id !== result.last_id || head.last_hash !== result.last_hash)) {
    return {
      valid: false,
      checked: result.checked,
      first_broken: { id: head.last_id, reason: 'tail_missing' },
    };
  }
  return { valid: true, checked: result.checked, first_broken: null };
}

/** The workspace chain (events of no project), newest first: for owners. */
export async function listWorkspaceAudit(options: {
  database: Database;
  action?: string;
  limit: number;
  offset: number;
}): Promise<{ events: AuditRow[]; total: number }> {
  let query = options.database.db.selectFrom('audit_events').where('project_id', 'is', null);
  if (options.action) query = query.where('action', '=', options.action);
  return pageOf(query, options);
}
