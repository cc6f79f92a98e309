import { sql } from 'kysely';
import type { Scope } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { Transaction } from 'kysely';

// How long a reserved attempt is presumed alive. It must outlast the slowest provider call
// (Chatwoot timeout, SMTP connect + greeting + socket timeouts), so a live attempt is never taken
// for a crashed one and sent again beside it.
const ATTEMPT_LEASE_SECONDS = 300;

/** The SQL of `outbound_attempts`: one row per try at the provider (docs/outbound.md). */

export interface ReservedAttempt {
  id: string;
  attempt_no: number;
  lease_expired: boolean;
  created_at: Date;
}

/** The message's attempt still `reserved` (at most one, by unique index), with its lease state. */
export async function reservedAttempt(
  trx: Transaction<DB>,
  scope: Scope,
  messageId: string,
): Promise<ReservedAttempt | undefined> {
  const { rows } = await sql<ReservedAttempt>`
    select id, attempt_no, created_at, coalesce(lease_until < now(), true) as lease_expired
    from outbound_attempts
    where project_id = ${scope.projectId}::uuid and outbound_message_id = ${messageId}::uuid and status = 'reserved'`.execute(
    trx,
  );
  return rows[0];
}

/** How many attempts the message had so far, and when the first was made. */
export async function priorAttempts(
  trx: Transaction<DB>,
  scope: Scope,
  messageId: string,
): Promise<{ attempts: number; first_at: Date | null }> {
  const previous = await sql<{ attempts: number; first_at: Date | null }>`
    select count(*)::int as attempts, min(created_at) as first_at from outbound_attempts
    where project_id = ${scope.projectId}::uuid and outbound_message_id = ${messageId}::uuid`.execute(
    trx,
  );
  return previous.rows[0]!;
}

/** Inserts a `reserved` attempt holding a lease; the unique index allows one per message. */
export async function reserveAttempt(
  trx: Transaction<DB>,
  scope: Scope,
  attempt: {
    messageId: string;
    attemptNo: number;
    handle: string;
    summary: Record<string, unknown>;
  },
): Promise<{ id: string }> {
  return trx
    .insertInto('outbound_attempts')
    .values({
      project_id: scope.projectId,
      account_scope_id: scope.accountScopeId,
      outbound_message_id: attempt.messageId,
      attempt_no: attempt.attemptNo,
      provider_handle: attempt.handle,
      request_summary: JSON.stringify(attempt.summary),
      lease_until: sql<Date>`now() + make_interval(secs => ${ATTEMPT_LEASE_SECONDS})`,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
}

export interface AttemptFinish {
  attemptId: string;
  status: 'succeeded' | 'failed';
  response: Record<string, unknown> | null;
  error: string | null;
  durationMs: number | null;
  providerMessageId: string | null;
}

/** Closes a still-reserved attempt with its result; an attempt closed already stays as it was. */
export async function finishAttempt(trx: Transaction<DB>, scope: Scope, finish: AttemptFinish) {
  const { attemptId, status, response, error, durationMs, providerMessageId } = finish;
  await sql`
    update outbound_attempts
    set status = ${status}, provider_response = ${response === null ? null : JSON.stringify(response)}::jsonb,
        error = ${error}, duration_ms = ${durationMs}, lease_until = null,
        request_summary = request_summary || ${JSON.stringify(providerMessageId ? { provider_message_id: providerMessageId } : {})}::jsonb
    where id = ${attemptId}::uuid and project_id = ${scope.projectId}::uuid and status = 'reserved'`.execute(
    trx,
  );
}
