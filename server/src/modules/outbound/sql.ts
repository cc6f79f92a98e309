import type { Transaction, UpdateObject } from 'kysely';
import type { Scope } from '../../db/database.js';
import type { DB, EvidenceRef, OutboundStatus } from '../../db/schema.js';
import { notFound } from '../../http/errors.js';

export interface OutboundRow {
  id: string;
  channel: 'chatwoot' | 'email';
  recipient_ref: string;
  contact_global_id: string | null;
  conversation_global_id: string | null;
  payload: { content: string; subject?: string };
  status: OutboundStatus;
  block_reason: string | null;
  idempotency_key: string;
  dedupe_key: string | null;
  max_retries: number;
  retry_count: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  evidence_refs: EvidenceRef[];
  created_by: string | null;
  approved_by: string | null;
  approved_at: Date | null;
  sent_at: Date | null;
  cancelled_at: Date | null;
  provider_message_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export const OUTBOUND_COLUMNS = [
  'id',
  'channel',
  'recipient_ref',
  'contact_global_id',
  'conversation_global_id',
  'payload',
  'status',
  'block_reason',
  'idempotency_key',
  'dedupe_key',
  'max_retries',
  'retry_count',
  'next_attempt_at',
  'last_error',
  'evidence_refs',
  'created_by',
  'approved_by',
  'approved_at',
  'sent_at',
  'cancelled_at',
  'provider_message_id',
  'created_at',
  'updated_at',
] as const;

/** Reads one message of the scope; `lock` takes the row lock every state change starts with. */
export async function findMessage(
  trx: Transaction<DB>,
  scope: Scope,
  id: string,
  options: { lock?: boolean } = {},
): Promise<OutboundRow | undefined> {
  let query = trx
    .selectFrom('outbound_messages')
    .select(OUTBOUND_COLUMNS)
    .where('id', '=', id)
    .where('project_id', '=', scope.projectId)
    .where('account_scope_id', '=', scope.accountScopeId);
  if (options.lock) query = query.forUpdate();
  return (await query.executeTakeFirst()) as OutboundRow | undefined;
}

export async function getMessage(
  trx: Transaction<DB>,
  scope: Scope,
  id: string,
  options: { lock?: boolean } = {},
) {
  const row = await findMessage(trx, scope, id, options);
  if (!row) throw notFound('outbound message');
  return row;
}

export async function updateMessage(
  trx: Transaction<DB>,
  scope: Scope,
  id: string,
  values: UpdateObject<DB, 'outbound_messages'>,
): Promise<OutboundRow> {
  return (await trx
    .updateTable('outbound_messages')
    .set(values)
    .where('id', '=', id)
    .where('project_id', '=', scope.projectId)
    .where('account_scope_id', '=', scope.accountScopeId)
    .returning(OUTBOUND_COLUMNS)
    .executeTakeFirstOrThrow()) as OutboundRow;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
