import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { sql, type Transaction } from 'kysely';
import type { Database, Scope } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';

// Stripe prunes keys once they are at least 24 hours old; a retry within a day is always a replay.
export const IDEMPOTENCY_RETENTION_HOURS = 24;
// The first request holds its key this long. Far above the few milliseconds a draft takes, so a
// live request is never taken over; short enough that a crashed one frees its key within a minute.
const IN_FLIGHT_LEASE_SECONDS = 60;

export interface IdempotentResult {
  status: number;
  body: Record<string, unknown>;
}

export interface IdempotentOutcome {
  status: number;
  /** The serialized body: a replay must return the very bytes of the first response. */
  bodyText: string;
  replayed: boolean;
}

/** JSON with object keys sorted at every depth: the same request always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const requestHash = (body: unknown) =>
  createHash('sha256').update(canonicalJson(body)).digest('hex');

interface KeyRow {
  id: number;
  request_hash: string;
  status: 'in_flight' | 'completed';
  response_status: number | null;
  response_text: string | null;
  lease_expired: boolean;
}

/**
 * Runs `execute` at most once per (project, operation, key), as Stripe promises:
 * - the same key and body again → the first response, status and body, errors included;
 * - the same key with another body → 422 idempotency_conflict;
 * - the same key while the first request still runs → 409 idempotency_in_flight.
 * `execute` runs inside the transaction that also stores its response, so the business write and
 * the stored result commit together. A 400 (the input itself was refused) stores nothing, so the
 * corrected request may reuse the key; so does an unexpected error, which may be transient.
 */
export async function runIdempotent(
  options: {
    database: Database;
    scope: Scope;
    userId: string | null;
    operation: string;
    key: string;
    body: unknown;
    requestId: string;
  } & (
    | { outsideTransaction?: false; execute: (trx: Transaction<DB>) => Promise<IdempotentResult> }
    | {
        /**
         * For operations that call a provider (send): `execute` then runs outside any
         * transaction, because none may stay open across a network call, and its result is
         * stored after.
         */
        outsideTransaction: true;
        execute: () => Promise<IdempotentResult>;
      }
  ),
): Promise<IdempotentOutcome> {
  const { database, scope, operation, key } = options;
  const hash = requestHash(options.body);

  const claimed = await database.withScope(scope, async (trx) => {
    // A key older than the retention is treated as new, as if the pruning job had already run.
    await sql`
      delete from idempotency_keys
      where project_id = ${scope.projectId}::uuid and route = ${operation} and method = 'POST'
        and idempotency_key = ${key}
        and created_at < now() - make_interval(hours => ${IDEMPOTENCY_RETENTION_HOURS})`.execute(
      trx,
    );
    const inserted = await sql<{ id: number }>`
      insert into idempotency_keys
        (project_id, account_scope_id, user_id, method, route, idempotency_key, request_hash, locked_until)
      values (${scope.projectId}::uuid, ${scope.accountScopeId}::uuid, ${options.userId}::uuid, 'POST',
              ${operation}, ${key}, ${hash}, now() + make_interval(secs => ${IN_FLIGHT_LEASE_SECONDS}))
      on conflict (project_id, method, route, idempotency_key) do nothing
      returning id`.execute(trx);
    if (inserted.rows[0]) return { id: inserted.rows[0].id };

    const { rows } = await sql<KeyRow>`
      select id, request_hash, status, response_status, response_body #>> '{}' as response_text,
             locked_until < now() as lease_expired
      from idempotency_keys
      where project_id = ${scope.projectId}::uuid and method = 'POST' and route = ${operation}
        and idempotency_key = ${key}
      for update`.execute(trx);
    const existing = rows[0]!;
    if (existing.request_hash !== hash) {
      throw new AppError(
        'idempotency_conflict',
        'this idempotency key was already used with a different request body; use a new key',
      );
    }
    if (existing.status === 'completed') {
      return { replay: { status: existing.response_status!, bodyText: existing.response_text! } };
    }
    if (!existing.lease_expired) {
      throw new AppError(
        'idempotency_in_flight',
        'a request with this idempotency key is still being processed; retry shortly',
      );
    }
    // The first request died without an answer: this one takes the key over.
    await sql`
      update idempotency_keys set locked_until = now() + make_interval(secs => ${IN_FLIGHT_LEASE_SECONDS})
      where id = ${existing.id}`.execute(trx);
    return { id: existing.id };
  });

  if ('replay' in claimed && claimed.replay) return { ...claimed.replay, replayed: true };
  const keyId = (claimed as { id: number }).id;

  // Kept as a JSON string inside the jsonb column: jsonb would reorder the keys of an object.
  const store = (trx: Transaction<DB>, status: number, bodyText: string) =>
    sql`
      update idempotency_keys
      set status = 'completed', response_status = ${status}, response_body = to_jsonb(${bodyText}::text)
      where id = ${keyId}`.execute(trx);

  try {
    if (options.outsideTransaction) {
      const outcome = await options.execute();
      const bodyText = JSON.stringify(outcome.body);
      await database.withScope(scope, (trx) => store(trx, outcome.status, bodyText));
      return { status: outcome.status, bodyText, replayed: false };
    }
    const { execute } = options;
    return await database.withScope(scope, async (trx) => {
      const outcome = await execute(trx);
      const bodyText = JSON.stringify(outcome.body);
      await store(trx, outcome.status, bodyText);
      return { status: outcome.status, bodyText, replayed: false };
    });
  } catch (error) {
    if (error instanceof AppError && error.statusCode !== 400) {
      const bodyText = JSON.stringify({
        ok: false,
        error: error.code,
        message: error.message,
        request_id: options.requestId,
        ...(error.details === undefined ? {} : { details: error.details }),
      });
      await database.withScope(scope, (trx) => store(trx, error.statusCode, bodyText));
      return { status: error.statusCode, bodyText, replayed: false };
    }
    await database
      .withScope(scope, (trx) =>
        sql`delete from idempotency_keys where id = ${keyId} and status = 'in_flight'`.execute(trx),
      )
      .catch(() => undefined);
    throw error;
  }
}

/**
 * Answers with an outcome as stored: a replay returns the very bytes of the first response,
 * errors included, so they are sent pre-serialized, untouched by the route's response schema.
 */
export function sendIdempotentOutcome(reply: FastifyReply, outcome: IdempotentOutcome) {
  if (outcome.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(outcome.status).type('application/json; charset=utf-8').send(outcome.bodyText);
}

/** Deletes keys past the retention; run by the outbound job. */
export async function pruneIdempotencyKeys(database: Database, scope: Scope): Promise<number> {
  const result = await database.withScope(scope, (trx) =>
    sql`
      delete from idempotency_keys
      where project_id = ${scope.projectId}::uuid
        and created_at < now() - make_interval(hours => ${IDEMPOTENCY_RETENTION_HOURS})`.execute(
      trx,
    ),
  );
  return Number(result.numAffectedRows ?? 0);
}
