import type { ExpandedEvidence, ListSignalsQuery, Signal } from '@cairn/contract';
import { sql, type Selectable, type Transaction } from 'kysely';
import type { Database, Scope } from '../../db/database.js';
import type { DB, EvidenceRef, SignalsTable } from '../../db/schema.js';
import { resolveEvidenceRefs } from '../audit/evidence-refs.js';
import { AppError, notFound } from '../../http/errors.js';
import { recordAudit } from '../audit/service.js';
import { decodeCursor, encodeCursor } from '../../http/cursor.js';
import { messageViewFromRow } from './detectors/index.js';

type SignalRow = Selectable<SignalsTable>;

const iso = (value: Date | string | null): string | null =>
  value === null ? null : new Date(value).toISOString();

export function toSignalDto(row: SignalRow): Signal {
  return {
    id: row.id,
    kind: row.kind as Signal['kind'],
    severity: row.severity,
    status: row.status,
    title: row.title,
    detail: row.detail,
    due_at: iso(row.due_at),
    snoozed_until: iso(row.snoozed_until),
    subject: row.subject,
    evidence_refs: row.evidence_refs,
    attributes: row.attributes,
    detector: row.detector,
    detector_version: row.detector_version,
    first_seen_at: iso(row.first_seen_at)!,
    last_seen_at: iso(row.last_seen_at)!,
    resolved_at: iso(row.resolved_at),
    resolution: row.resolution,
    resolved_by: row.resolved_by,
    created_at: iso(row.created_at)!,
  };
}

/**
 * A page of the project's signals, newest first, keyset-paged on (created_at, id) with the
 * cursor codec the review endpoints use (connectors/chatwoot/review.ts); created_at travels in whole
 * microseconds, so rows created in one transaction are never skipped.
 */
export async function listSignals(
  database: Database,
  scope: Scope,
  query: ListSignalsQuery,
): Promise<{ signals: Signal[]; nextCursor: string | null }> {
  const limit = query.limit ?? 50;
  const after = decodeCursor<{ t: string; id: string }>(query.cursor, {
    t: 'string',
    id: 'string',
  });
  return database.withScope(scope, async (trx) => {
    let q = trx
      .selectFrom('signals')
      .selectAll()
      .select(
        sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(
          'created_at_us',
        ),
      )
      .where('project_id', '=', scope.projectId);
    if (query.status) q = q.where('status', '=', query.status);
    if (query.kind) q = q.where('kind', '=', query.kind);
    if (query.severity) q = q.where('severity', '=', query.severity);
    if (query.due_before) q = q.where('due_at', '<', query.due_before);
    if (after) {
      q = q.where(sql<boolean>`(created_at, id) < (${after.t}::timestamptz, ${after.id}::uuid)`);
    }
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      signals: page.map(({ created_at_us: _omit, ...row }) => toSignalDto(row)),
      nextCursor:
        rows.length > limit && last ? encodeCursor({ t: last.created_at_us, id: last.id }) : null,
    };
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The signal, or 404 (another project's id reads exactly like a missing one). */
export async function loadSignal(trx: Transaction<DB>, scope: Scope, id: string) {
  if (!UUID.test(id)) throw notFound('signal');
  const row = await trx
    .selectFrom('signals')
    .selectAll()
    .where('project_id', '=', scope.projectId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('signal');
  return row;
}

/** A signal with each evidence ref read in the project: quote, author, time, conversation. */
export async function signalDetail(database: Database, scope: Scope, id: string) {
  return database.withScope(scope, async (trx) => {
    const row = await loadSignal(trx, scope, id);
    const messageIds = row.evidence_refs
      .filter((r) => r.source === 'cw_messages')
      .map((r) => r.ref);
    const messages =
      messageIds.length === 0
        ? []
        : await trx
            .selectFrom('cw_messages')
            .select([
              'id',
              'conversation_global_id',
              'message_type',
              'private',
              'sender_type',
              'sender_id',
              'content',
              'data',
              'source_created_at',
              'created_at',
            ])
            .where('project_id', '=', scope.projectId)
            .where('id', 'in', messageIds)
            .execute();
    const byId = new Map(messages.map((m) => [m.id, m]));
    // Linear and Attio refs (and any other row kind) are read by the one evidence reader.
    const chatwoot = (source: string) => source === 'cw_messages' || source === 'cw_conversations';
    const others = await resolveEvidenceRefs(
      trx,
      scope.projectId,
      row.evidence_refs.filter((r) => !chatwoot(r.source)),
    );
    const evidence = row.evidence_refs.map((ref): ExpandedEvidence => {
      const match = Array.isArray(ref.meta?.match) ? (ref.meta.match as [number, number]) : null;
      if (!chatwoot(ref.source)) {
        const read = others.shift()!;
        return {
          source: ref.source,
          ref: ref.ref,
          found: read.found,
          // The detector's snippet first, so `match` offsets stay valid after an edit.
          quote: ref.snippet ?? read.text,
          match,
          author: read.author,
          direction: null,
          at: read.at,
          conversation_id: read.conversation_id ?? row.subject.conversation_id ?? null,
          deep_link: read.deep_link,
        };
      }
      const stored = ref.source === 'cw_messages' ? byId.get(ref.ref) : undefined;
      const view = stored ? messageViewFromRow(stored) : null;
      return {
        source: ref.source,
        ref: ref.ref,
        found: Boolean(stored),
        // The snippet the detector matched in, so `match` offsets stay valid after an edit.
        quote: ref.snippet ?? view?.text ?? null,
        match,
        author: view?.author.name ?? null,
        direction: view?.direction ?? null,
        at: view?.created_at ?? null,
        conversation_id:
          stored?.conversation_global_id ??
          (ref.source === 'cw_conversations' ? ref.ref : null) ??
          row.subject.conversation_id ??
          null,
      };
    });
    return { signal: toSignalDto(row), evidence };
  });
}

/**
 * Resolves or dismisses a signal by hand, audited with the signal's evidence. Closing one that is
 * already closed answers 409, so two people acting at once cannot both record a reason.
 */
export async function closeSignal(
  database: Database,
  scope: Scope,
  input: {
    id: string;
    action: 'resolve' | 'dismiss';
    reason?: string;
    userId: string;
    username: string;
    requestId: string;
  },
): Promise<Signal> {
  return database.withScope(scope, async (trx) => {
    const row = await loadSignal(trx, scope, input.id);
    const status = input.action === 'resolve' ? 'resolved' : 'dismissed';
    const reason = input.reason?.trim();
    const updated = await trx
      .updateTable('signals')
      .set({
        status,
        resolved_at: new Date(),
        resolved_by: input.userId,
        resolution: `${input.username}: ${reason || (status === 'resolved' ? 'resolved' : 'dismissed')}`,
      })
      .where('project_id', '=', scope.projectId)
      .where('id', '=', row.id)
      .where('status', 'in', ['open', 'snoozed'])
      .returningAll()
      .executeTakeFirst();
    if (!updated) {
      throw new AppError('invalid_transition', `the signal is already ${row.status}`, {
        status: row.status,
      });
    }
    await recordAudit(trx, {
      projectId: scope.projectId,
      accountScopeId: scope.accountScopeId,
      actor: input.username,
      action: `signal.${input.action}`,
      entityType: 'signal',
      entityId: row.id,
      payload: { kind: row.kind, reason: reason ?? null },
      evidenceRefs: auditableRefs(row.evidence_refs),
      requestId: input.requestId,
    });
    return toSignalDto(updated);
  });
}

/**
 * Snoozes an open signal until a future time (audited): it leaves the open list, and the
 * `signals_run` job wakes it when the time has passed (`wakeSnoozed`).
 */
export async function snoozeSignal(
  database: Database,
  scope: Scope,
  input: {
    id: string;
    until: string;
    reason?: string;
    username: string;
    requestId: string;
  },
): Promise<Signal> {
  if (!(Date.parse(input.until) > Date.now())) {
    throw new AppError('validation_error', 'until must be in the future', {
      fields: [{ field: 'until', message: 'must be in the future' }],
    });
  }
  return database.withScope(scope, async (trx) => {
    const row = await loadSignal(trx, scope, input.id);
    const updated = await trx
      .updateTable('signals')
      .set({ status: 'snoozed', snoozed_until: input.until })
      .where('project_id', '=', scope.projectId)
      .where('id', '=', row.id)
      .where('status', 'in', ['open', 'snoozed'])
      .returningAll()
      .executeTakeFirst();
    if (!updated) {
      throw new AppError('invalid_transition', `the signal is already ${row.status}`, {
        status: row.status,
      });
    }
    await recordAudit(trx, {
      projectId: scope.projectId,
      accountScopeId: scope.accountScopeId,
      actor: input.username,
      action: 'signal.snooze',
      entityType: 'signal',
      entityId: row.id,
      payload: { kind: row.kind, until: input.until, reason: input.reason?.trim() || null },
      evidenceRefs: auditableRefs(row.evidence_refs),
      requestId: input.requestId,
    });
    return toSignalDto(updated);
  });
}

/** Snoozed signals whose time has come are open again; returns how many woke. */
export async function wakeSnoozed(trx: Transaction<DB>, scope: Scope, now: Date): Promise<number> {
  const woken = await trx
    .updateTable('signals')
    .set({ status: 'open', snoozed_until: null })
    .where('project_id', '=', scope.projectId)
    .where('status', '=', 'snoozed')
    .where('snoozed_until', '<=', now)
    .executeTakeFirst();
  return Number(woken.numUpdatedRows);
}

/** The refs the audit trail can check (rows of this repository), without their long snippets. */
export function auditableRefs(refs: EvidenceRef[]): EvidenceRef[] {
  return refs
    .filter((r) => r.source === 'cw_messages' || r.source === 'cw_conversations')
    .map((r) => ({ source: r.source, ref: r.ref }));
}
