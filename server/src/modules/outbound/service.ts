import type { CreateDraftBody, EditDraftBody } from '@cairn/contract';
import { sql, type Transaction } from 'kysely';
import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import type { DB, EvidenceRef, OutboundStatus } from '../../db/schema.js';
import type { Actor } from '../../http/actor.js';
import { decodeCursor, encodeCursor } from '../../http/cursor.js';
import { fromDatabaseError } from '../../http/database-errors.js';
import { AppError } from '../../http/errors.js';
import { resolveEvidenceRefs, validateEvidenceRefs } from '../audit/evidence-refs.js';
import { recordAudit } from '../audit/service.js';
import {
  getMessage,
  OUTBOUND_COLUMNS,
  updateMessage,
  UUID_PATTERN,
  type OutboundRow,
} from './sql.js';
import { nextStatus } from './state-machine.js';

const auditOf =
  (trx: Transaction<DB>, scope: Scope, actor: Actor) =>
  (
    action: string,
    messageId: string,
    payload: Record<string, unknown>,
    evidenceRefs?: EvidenceRef[],
  ) =>
    recordAudit(trx, {
      projectId: scope.projectId,
      accountScopeId: scope.accountScopeId,
      actor: actor.username,
      action,
      entityType: 'outbound_message',
      entityId: messageId,
      payload,
      evidenceRefs,
      requestId: actor.requestId,
    });

/** Runs `fn` and turns a trigger's refusal into the API's 409. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw fromDatabaseError(error);
  }
}

/**
 * Creates a draft inside `trx` (the idempotency layer's transaction). The recipient is resolved
 * in the active project: for chatwoot the conversation to reply into (its contact is the one the
 * policies apply to), for email a contact with an address. A taken dedupe key answers 409
 * duplicate with the existing message's id.
 */
export async function createDraft(
  trx: Transaction<DB>,
  scope: Scope,
  config: Config,
  input: CreateDraftBody,
  actor: Actor,
): Promise<OutboundRow> {
  const recipient = await resolveRecipient(trx, scope, input.channel, input.recipient_ref);
  const evidenceRefs = await validateEvidenceRefs(
    trx,
    scope.projectId,
    (input.evidence_refs ?? []) as EvidenceRef[],
  );

  if (input.dedupe_key) {
    const existing = await trx
      .selectFrom('outbound_messages')
      .select('id')
      .where('project_id', '=', scope.projectId)
      .where('dedupe_key', '=', input.dedupe_key)
      .executeTakeFirst();
    if (existing) throw duplicate(existing.id);
  }
  const inserted = await sql<OutboundRow>`
    insert into outbound_messages
      (project_id, account_scope_id, channel, recipient_ref, contact_global_id, conversation_global_id, payload,
       idempotency_key, dedupe_key, max_retries, evidence_refs, created_by)
    values (${scope.projectId}::uuid, ${scope.accountScopeId}::uuid, ${input.channel}, ${input.recipient_ref},
            ${recipient.contactGlobalId}, ${recipient.conversationGlobalId}, ${JSON.stringify(input.payload)}::jsonb,
            ${input.idempotency_key}, ${input.dedupe_key ?? null},
            ${input.max_retries ?? config.OUTBOUND_DEFAULT_MAX_RETRIES}, ${JSON.stringify(evidenceRefs)}::jsonb,
            ${actor.userId}::uuid)
    on conflict do nothing
    returning ${sql.join(OUTBOUND_COLUMNS.map((c) => sql.ref(c)))}`.execute(trx);
  const row = inserted.rows[0];
  if (!row) {
    // A concurrent request took the dedupe key, or this idempotency key outlived its 24 h record.
    const existing = await trx
      .selectFrom('outbound_messages')
      .select(['id', 'idempotency_key'])
      .where('project_id', '=', scope.projectId)
      .where((eb) =>
        eb.or([
          eb('idempotency_key', '=', input.idempotency_key),
          ...(input.dedupe_key ? [eb('dedupe_key', '=', input.dedupe_key)] : []),
        ]),
      )
      .executeTakeFirstOrThrow();
    if (existing.idempotency_key === input.idempotency_key) {
      throw new AppError(
        'idempotency_conflict',
        'this idempotency key already created a message; use a new key',
        {
          existing_id: existing.id,
        },
      );
    }
    throw duplicate(existing.id);
  }
  await auditOf(trx, scope, actor)(
    'outbound.draft',
    row.id,
    {
      channel: row.channel,
      recipient_ref: row.recipient_ref,
      contact_global_id: row.contact_global_id,
      dedupe_key: row.dedupe_key,
    },
    evidenceRefs,
  );
  return row;
}

const duplicate = (existingId: string) =>
  new AppError('duplicate', 'another outbound message already holds this dedupe_key', {
    existing_id: existingId,
  });

async function resolveRecipient(
  trx: Transaction<DB>,
  scope: Scope,
  channel: 'chatwoot' | 'email',
  ref: string,
) {
  if (channel === 'chatwoot') {
    const conversation = await trx
      .selectFrom('cw_conversations')
      .select(['id', 'contact_global_id'])
      .where('id', '=', ref)
      .where('project_id', '=', scope.projectId)
      .where('account_scope_id', '=', scope.accountScopeId)
      .executeTakeFirst();
    if (!conversation) throw badRecipient('is not a conversation of the active project');
    return {
      conversationGlobalId: conversation.id,
      contactGlobalId: conversation.contact_global_id,
    };
  }
  const contact = await trx
    .selectFrom('cw_contacts')
    .select(['id', 'email'])
    .where('id', '=', ref)
    .where('project_id', '=', scope.projectId)
    .where('account_scope_id', '=', scope.accountScopeId)
    .executeTakeFirst();
  if (!contact) throw badRecipient('is not a contact of the active project');
  if (!contact.email) throw badRecipient('the contact has no email address');
  return { conversationGlobalId: null, contactGlobalId: contact.id };
}

const badRecipient = (message: string) =>
  new AppError('invalid_input', `recipient_ref ${message}`, {
    fields: [{ field: 'recipient_ref', message }],
  });

/** Edits a draft; editing an approved message returns it to draft, so it needs approval again. */
export async function editDraft(
  database: Database,
  scope: Scope,
  id: string,
  input: EditDraftBody,
  actor: Actor,
): Promise<OutboundRow> {
  return guarded(() =>
    database.withScope(scope, async (trx) => {
      const message = await getMessage(trx, scope, id, { lock: true });
      const to = nextStatus(message.status, 'edit');
      await refuseWhileInFlight(trx, scope, message);
      const evidenceRefs = input.evidence_refs
        ? await validateEvidenceRefs(trx, scope.projectId, input.evidence_refs as EvidenceRef[])
        : undefined;
      const updated = await updateMessage(trx, scope, id, {
        status: to,
        ...(input.payload ? { payload: JSON.stringify(input.payload) } : {}),
        ...(evidenceRefs ? { evidence_refs: JSON.stringify(evidenceRefs) } : {}),
        ...(input.max_retries !== undefined ? { max_retries: input.max_retries } : {}),
        approved_by: null,
        approved_at: null,
        block_reason: null,
        next_attempt_at: null,
      });
      await auditOf(trx, scope, actor)(
        'outbound.edit',
        id,
        { from: message.status, to, fields: Object.keys(input) },
        evidenceRefs,
      );
      return updated;
    }),
  );
}

/** Approves a draft, recording who and when; with OUTBOUND_FOUR_EYES the author may not. */
export async function approveMessage(
  database: Database,
  config: Config,
  scope: Scope,
  id: string,
  actor: Actor,
): Promise<OutboundRow> {
  return guarded(() =>
    database.withScope(scope, async (trx) => {
      const message = await getMessage(trx, scope, id, { lock: true });
      const to = nextStatus(message.status, 'approve');
      if (config.OUTBOUND_FOUR_EYES && message.created_by === actor.userId) {
        throw new AppError(
          'forbidden',
          'four-eyes approval is on: someone other than the author must approve this draft',
        );
      }
      const updated = await updateMessage(trx, scope, id, {
        status: to,
        approved_by: actor.userId,
        approved_at: sql<Date>`now()`,
      });
      await auditOf(trx, scope, actor)('outbound.approve', id, {
        approved_by: actor.userId,
        approved_at: updated.approved_at,
        four_eyes: config.OUTBOUND_FOUR_EYES,
      });
      return updated;
    }),
  );
}

export async function cancelMessage(
  database: Database,
  scope: Scope,
  id: string,
  actor: Actor,
): Promise<OutboundRow> {
  return guarded(() =>
    database.withScope(scope, async (trx) => {
      const message = await getMessage(trx, scope, id, { lock: true });
      const to = nextStatus(message.status, 'cancel');
      await refuseWhileInFlight(trx, scope, message);
      const updated = await updateMessage(trx, scope, id, {
        status: to,
        cancelled_at: sql<Date>`now()`,
        next_attempt_at: null,
      });
      await auditOf(trx, scope, actor)('outbound.cancel', id, { from: message.status });
      return updated;
    }),
  );
}

/** The manual retry path: a failed message goes back to approved and is sent by the next send or run. */
export async function retryMessage(
  database: Database,
  scope: Scope,
  id: string,
  actor: Actor,
): Promise<OutboundRow> {
  return guarded(() =>
    database.withScope(scope, async (trx) => {
      const message = await getMessage(trx, scope, id, { lock: true });
      const to = nextStatus(message.status, 'retry');
      const updated = await updateMessage(trx, scope, id, { status: to, next_attempt_at: null });
      await auditOf(trx, scope, actor)('outbound.retry', id, {
        retry_count: message.retry_count,
        automatic: false,
      });
      return updated;
    }),
  );
}

/** A delivery in flight has already left: changing or cancelling the message now would lie. */
async function refuseWhileInFlight(trx: Transaction<DB>, scope: Scope, message: OutboundRow) {
  if (message.status !== 'approved') return;
  const inFlight = await trx
    .selectFrom('outbound_attempts')
    .select('id')
    .where('project_id', '=', scope.projectId)
    .where('outbound_message_id', '=', message.id)
    .where('status', '=', 'reserved')
    .executeTakeFirst();
  if (inFlight) {
    throw new AppError('invalid_transition', 'a delivery of this message is in progress', {
      from: message.status,
      reason: 'delivery_in_progress',
    });
  }
}

export async function listMessages(
  database: Database,
  scope: Scope,
  filter: { status?: OutboundStatus; limit: number; cursor?: string },
): Promise<{ items: OutboundRow[]; nextCursor: string | null }> {
  const after = decodeCursor<{ t: string; id: string }>(
    filter.cursor,
    { t: 'string', id: 'string' },
    (c) => !Number.isNaN(Date.parse(c.t)) && UUID_PATTERN.test(c.id),
  );
  return database.withScope(scope, async (trx) => {
    let query = trx
      .selectFrom('outbound_messages')
      .select(OUTBOUND_COLUMNS)
      // The cursor keeps microseconds: a millisecond Date would skip rows created together.
      .select(
        sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(
          'created_at_us',
        ),
      )
      .where('project_id', '=', scope.projectId)
      .where('account_scope_id', '=', scope.accountScopeId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (after) {
      query = query.where(
        sql<boolean>`(created_at, id) < (${after.t}::timestamptz, ${after.id}::uuid)`,
      );
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit + 1)
      .execute();
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(({ created_at_us: _omit, ...row }) => row as OutboundRow),
      nextCursor:
        rows.length > filter.limit && last
          ? encodeCursor({ t: last.created_at_us, id: last.id })
          : null,
    };
  });
}

export async function messageDetail(database: Database, scope: Scope, id: string) {
  return database.withScope(scope, async (trx) => {
    const message = await getMessage(trx, scope, id);
    const attempts = await trx
      .selectFrom('outbound_attempts')
      .select([
        'id',
        'attempt_no',
        'status',
        'provider_handle',
        'request_summary',
        'provider_response',
        'error',
        'duration_ms',
        'created_at',
        'updated_at',
      ])
      .where('project_id', '=', scope.projectId)
      .where('outbound_message_id', '=', id)
      .orderBy('attempt_no')
      .execute();
    const audit = await trx
      .selectFrom('audit_events')
      .select(['id', 'action', 'status', 'actor', 'payload', 'created_at'])
      .where('project_id', '=', scope.projectId)
      .where('entity_type', '=', 'outbound_message')
      .where('entity_id', '=', id)
      .orderBy('id')
      .execute();
    const evidence = await resolveEvidenceRefs(trx, scope.projectId, message.evidence_refs);
    return { message, attempts, audit, evidence };
  });
}
