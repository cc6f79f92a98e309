import { sql } from 'kysely';
import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import { inScope } from '../../db/scoped-sql.js';
import type { AuditActor } from '../../http/actor.js';
import { AppError } from '../../http/errors.js';
import { createSecrets, resolveSecretsKey, type Secrets } from '../../lib/secrets.js';
import { createAdapters } from './adapters/index.js';
import type { DeliveryAdapters } from './adapters/types.js';
import { pruneIdempotencyKeys } from './idempotency.js';
import { SYSTEM_ACTOR } from './policies.js';
import { sendOutbound, type OutboundDeps } from './send-outbound.js';

export interface ProcessCounts {
  processed: number;
  sent: number;
  failed: number;
  blocked: number;
  deferred: number;
}

/**
 * Sends every due message of the project: approved ones (not held by a frequency cap until
 * later) and failed ones whose backoff has passed and that have retries left. One message at a
 * time, each through `sendOutbound`, so the same guarantees hold as for a manual send. This is
 * also the `outbound_process` job's handler.
 */
export async function processOutbound(options: {
  database: Database;
  config: Config;
  scope: Scope;
  secrets?: Secrets;
  adapters?: DeliveryAdapters;
  actor?: AuditActor;
  limit?: number;
  signal?: AbortSignal;
}): Promise<ProcessCounts> {
  const { database, config, scope } = options;
  const deps: OutboundDeps = {
    database,
    config,
    secrets: options.secrets ?? createSecrets(await resolveSecretsKey(config)),
    adapters: options.adapters ?? createAdapters(config),
  };
  const actor = options.actor ?? { username: SYSTEM_ACTOR, requestId: null };
  const due = await database.withScope(scope, (trx) =>
    sql<{ id: string }>`
      select id from outbound_messages
      where ${inScope(scope)}
        and ((status = 'approved' and (next_attempt_at is null or next_attempt_at <= now()))
          or (status = 'failed' and next_attempt_at <= now() and retry_count <= max_retries))
      order by coalesce(next_attempt_at, approved_at, created_at), id
      limit ${options.limit ?? 200}`.execute(trx),
  );
  const counts: ProcessCounts = { processed: 0, sent: 0, failed: 0, blocked: 0, deferred: 0 };
  for (const { id } of due.rows) {
    if (options.signal?.aborted) break;
    try {
      const { result } = await sendOutbound(deps, { scope, messageId: id, actor, mode: 'process' });
      counts.processed++;
      if (result === 'sent' || result === 'already_sent') counts.sent++;
      else counts[result]++;
    } catch (error) {
      // In flight elsewhere, or moved on since the list was read: the next run looks again.
      if (error instanceof AppError && error.statusCode === 409) continue;
      throw error;
    }
  }
  await pruneIdempotencyKeys(database, scope);
  return counts;
}
