import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { z } from 'zod';
import type { Config } from '../../../config.js';
import type { Database, Scope } from '../../../db/database.js';
import type { DB } from '../../../db/schema.js';
import { AppError } from '../../../http/errors.js';
import { createGuardedHttp } from '../../../lib/net/guarded-http.js';
import type { HostResolver } from '../../../lib/net/host-policy.js';
import type { Secrets } from '../../../lib/secrets.js';
import { scrubJson } from '../../../lib/text.js';
import { claimWebhookDelivery } from '../../../lib/webhook-replay-guard.js';
import { loadAttioSourceForWebhook, type AttioSourceRecord } from '../../sources/attio-source.js';
import { recordWebhookError } from '../../sources/service.js';
import { deleteAttioChunks, writeAttioChunks } from './chunks.js';
import { AttioApiError, AttioClient, type AttioObject } from './client.js';
import { normalize, RECORD_OBJECTS, type AttRows } from './normalize.js';
import { deleteRows, upsertRows } from './store.js';

/**
 * The Attio webhook receiver, `POST /webhooks/attio/:source_id` (facts: API-NOTES §5, mirrored by
 * tools/attio-sim/src/webhooks.ts), shaped like connectors/linear/webhook.ts. It fails closed:
 *
 * - `Attio-Signature` (or its duplicate `X-Attio-Signature`) is the hex HMAC-SHA256 of the raw
 *   body with the source's webhook secret, compared in constant time; no secret, no signature, or
 *   a mismatch is a 401.
 * - Attio signs no timestamp, so replays are dropped by identity, claimed in webhook_receipts
 *   (receiver `attio`, per source) in the transaction that applies the delivery: Attio's
 *   `Idempotency-Key` (one per message, the same across its retries) together with the signed
 *   bytes. The bytes alone cannot be the identity: a body names ids only, so two genuine
 *   `note.updated` events for the same note by the same actor are byte for byte the same, and the
 *   second must not be dropped. A replay under a fresh key is therefore applied again, which is
 *   harmless: applying re-reads the entity's current state from Attio and changes nothing.
 *
 * Events carry ids only, so each record, note or task named is fetched from Attio (through the
 * guarded agent) and written through the sync's own upsert (store.ts, chunks.ts): the row is the
 * one the next sync would write, and that sync writes nothing. An entity Attio answers 404 for, or
 * a `*.deleted` event, removes the row and its chunks. Polling stays the reconciliation.
 */

// Attio signs no timestamp: receipts are remembered for a week, far longer than its retries.
const RECEIPT_MEMORY_SECONDS = 7 * 86_400;

export interface AttioWebhookRequest {
  sourceId: string;
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

export interface AttioWebhookOutcome {
  event: string | null;
  applied: boolean;
  duplicate: boolean;
}

export interface AttioWebhookDeps {
  database: Database;
  secrets: Secrets;
  config: Pick<
    Config,
    | 'CHUNK_SIZE'
    | 'SOURCE_HOST_ALLOWLIST'
    | 'ATTIO_TIMEOUT_MS'
    | 'ATTIO_MAX_RETRIES'
    | 'ATTIO_RATE_LIMIT_WAIT_MAX_MS'
  >;
  /** Called once the delivery's new or changed chunks have committed, to get them embedded. */
  onChunksWritten?: (scope: Scope) => void;
  /** Called once a delivery that stored or removed a record has committed (people relink). */
  onRecordsChanged?: (scope: Scope) => Promise<void>;
  resolveHost?: HostResolver;
}

const invalid = (why: string) => new AppError('invalid_signature', `webhook rejected: ${why}`);

const ids = z.record(z.string(), z.string().max(200));
const envelope = z.object({
  webhook_id: z.string().min(1).max(200),
  events: z
    .array(
      z.looseObject({
        event_type: z.string().min(1).max(100),
        id: ids,
      }),
    )
    .min(1)
    .max(100),
});

/** What one event asks of the project, decided once the entity is fetched. */
type Change =
  | { kind: 'records'; object: AttioObject; row: AttRows[AttioObject] }
  | { kind: 'notes'; row: AttRows['notes'] }
  | { kind: 'tasks'; row: AttRows['tasks'] }
  | { kind: 'record_gone'; id: string }
  | { kind: 'note_gone'; id: string }
  | { kind: 'task_gone'; id: string };

export async function receiveAttioWebhook(
  deps: AttioWebhookDeps,
  request: AttioWebhookRequest,
): Promise<AttioWebhookOutcome> {
  const { database, secrets } = deps;
  const found = await loadAttioSourceForWebhook(database, secrets, request.sourceId);
  // An unknown source gets the same answer as a bad signature: nothing to verify against.
  if (!found) throw invalid('unknown source or missing credentials');
  const { source, scope } = found;
  if (!source.webhookSecret) throw invalid('the source has no webhook secret');

  const signature =
    header(request.headers, 'attio-signature') ?? header(request.headers, 'x-attio-signature');
  if (signature === undefined) throw invalid('missing Attio-Signature');
  const check = verifyAttioSignature(source.webhookSecret, request.rawBody, signature);
  if (check !== 'ok') throw invalid(check);

  // Signed from here on.
  let payload: unknown;
  try {
    // Text Postgres cannot store (NUL, lone surrogates) becomes U+FFFD, as in every ingest path.
    payload = scrubJson(JSON.parse(request.rawBody.toString('utf8')) as unknown);
  } catch {
    throw refused('body', 'is not JSON');
  }
  const head = envelope.safeParse(payload);
  if (!head.success) {
    const issue = head.error.issues[0];
    const field = issue?.path.map(String).join('.') || 'body';
    const message = issue?.message ?? 'is invalid';
    await recordWebhookError(database, scope, source.id, `webhook refused: ${field} ${message}`);
    throw refused(field, message);
  }
  const events = head.data.events;
  const event = [...new Set(events.map((e) => e.event_type))].join(',').slice(0, 100);
  for (const [i, e] of events.entries()) {
    if (e.id.workspace_id !== source.workspaceId) {
      const message = 'is not the Attio workspace this source is bound to';
      await recordWebhookError(database, scope, source.id, `${event} refused: ${message}`);
      throw refused(`events.${i}.id.workspace_id`, message);
    }
  }

  // Fetched before the transaction: no connection is held while Attio answers.
  const changes = await fetchChanges(deps, source, scope, events);
  const idempotencyKey = header(request.headers, 'idempotency-key');
  const key = idempotencyKey && idempotencyKey.length <= 200 ? idempotencyKey : undefined;

  let chunksWritten = false;
  const outcome = await database.withScope(scope, async (trx): Promise<AttioWebhookOutcome> => {
    const claim = await claimWebhookDelivery(trx, scope, {
      receiver: 'attio',
      endpointId: source.id,
      signed: key ? Buffer.concat([Buffer.from(`${key}\n`), request.rawBody]) : request.rawBody,
      deliveryId: key,
      event,
      rememberSeconds: RECEIPT_MEMORY_SECONDS,
    });
    if (claim === 'replay') return { event, applied: false, duplicate: true };
    let applied = false;
    for (const change of changes) {
      const result = await applyChange(trx, scope, deps.config, source, change);
      applied ||= result.applied;
      chunksWritten ||= result.chunksWritten;
    }
    return { event, applied, duplicate: false };
  });
  if (chunksWritten) deps.onChunksWritten?.(scope);
  // A record moved out of scope is removed without counting as applied: it changes people too.
  const records = changes.some((c) => c.kind === 'records' || c.kind === 'record_gone');
  if (records && !outcome.duplicate) await deps.onRecordsChanged?.(scope);
  return outcome;
}

/** `Attio-Signature`: hex HMAC-SHA256 of the raw body, compared in constant time. */
export function verifyAttioSignature(
  secret: string,
  rawBody: Buffer,
  signature: string,
): 'ok' | 'malformed signature' | 'signature mismatch' {
  if (!/^[0-9a-fA-F]{64}$/.test(signature.trim())) return 'malformed signature';
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(signature.trim(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? 'ok'
    : 'signature mismatch';
}

async function fetchChanges(
  deps: AttioWebhookDeps,
  source: AttioSourceRecord,
  scope: Scope,
  events: { event_type: string; id: Record<string, string> }[],
): Promise<Change[]> {
  const { config } = deps;
  const http = createGuardedHttp({
    allowlist: config.SOURCE_HOST_ALLOWLIST,
    resolve: deps.resolveHost,
  });
  const api = new AttioClient({
    fetch: http.fetch,
    baseUrl: source.baseUrl,
    token: source.token,
    timeoutMs: config.ATTIO_TIMEOUT_MS,
    // A sender waits on the answer: one retry, short waits.
    maxRetries: Math.min(config.ATTIO_MAX_RETRIES, 1),
    retryBaseMs: 200,
    retryMaxMs: 1_000,
    rateLimitWaitMaxMs: Math.min(config.ATTIO_RATE_LIMIT_WAIT_MAX_MS, 2_000),
  });
  const changes: Change[] = [];
  try {
    for (const e of events) {
      const [family, action] = e.event_type.split('.') as [string, string | undefined];
      if (family === 'record' && e.id.record_id) {
        const id = e.id.record_id;
        if (action === 'deleted') {
          changes.push({ kind: 'record_gone', id });
          continue;
        }
        const objects = await candidateObjects(deps.database, scope, e.id.object_id);
        let change: Change = { kind: 'record_gone', id };
        for (const object of objects) {
          const item = await api.getRecord(object, id);
          if (!item) continue;
          const row = (normalize[object] as (item: unknown) => AttRows[AttioObject])(
            scrubJson(item),
          );
          if (e.id.object_id && row.object_id !== e.id.object_id) continue;
          change = { kind: 'records', object, row };
          break;
        }
        changes.push(change);
      } else if ((family === 'note' || family === 'note-content') && e.id.note_id) {
        const id = e.id.note_id;
        const item = action === 'deleted' ? null : await api.getNote(id);
        changes.push(
          item
            ? { kind: 'notes', row: normalize.notes(scrubJson(item)) }
            : { kind: 'note_gone', id },
        );
      } else if (family === 'task' && e.id.task_id) {
        const id = e.id.task_id;
        const item = action === 'deleted' ? null : await api.getTask(id);
        changes.push(
          item
            ? { kind: 'tasks', row: normalize.tasks(scrubJson(item)) }
            : { kind: 'task_gone', id },
        );
      }
      // Other events (comments, lists, members, …) are left to the sync.
    }
  } catch (error) {
    if (error instanceof AttioApiError) {
      // Nothing is claimed: Attio's retry of this delivery is applied.
      throw new AppError(
        'upstream_error',
        `the webhook's entity could not be read: ${error.message}`,
      );
    }
    throw error;
  } finally {
    await http.close();
  }
  return changes;
}

/** The record objects to ask, the one whose stored rows carry this object id first. */
async function candidateObjects(
  database: Database,
  scope: Scope,
  objectId: string | undefined,
): Promise<AttioObject[]> {
  if (!objectId) return [...RECORD_OBJECTS];
  const { rows } = await database.withScope(scope, (trx) =>
    sql<{ object: AttioObject }>`
      select 'companies' as object from att_companies
        where project_id = ${scope.projectId}::uuid and object_id = ${objectId}
      union all select 'people' from att_people
        where project_id = ${scope.projectId}::uuid and object_id = ${objectId}
      union all select 'deals' from att_deals
        where project_id = ${scope.projectId}::uuid and object_id = ${objectId}
      limit 1`.execute(trx),
  );
  const known = rows[0]?.object;
  return known ? [known] : [...RECORD_OBJECTS];
}

type Trx = Transaction<DB>;

async function applyChange(
  trx: Trx,
  scope: Scope,
  config: Pick<Config, 'CHUNK_SIZE'>,
  source: AttioSourceRecord,
  change: Change,
): Promise<{ applied: boolean; chunksWritten: boolean }> {
  const none = { applied: false, chunksWritten: false };
  switch (change.kind) {
    case 'records': {
      if (!(await recordInScope(trx, scope, source, change.object, change.row))) {
        // Moved out of the binding's companies: gone from this project, as the sync would do.
        await removeRecord(trx, scope, change.row.id);
        return none;
      }
      // Records have no chunks; an unchanged hash writes nothing (store.ts).
      await upsertRows(trx, scope, change.object, [change.row]);
      return { applied: true, chunksWritten: false };
    }
    case 'notes': {
      const row = change.row;
      if (!(await anyRecordStored(trx, scope, source, [row.parent_record_id]))) {
        await removeNotesOrTasks(trx, scope, 'notes', [row.id]);
        return none;
      }
      const written = await upsertRows(trx, scope, 'notes', [row]);
      await writeAttioChunks(trx, scope, config, {
        notes: written.written,
        inserted: written.insertedIds,
      });
      return { applied: true, chunksWritten: written.written.length > 0 };
    }
    case 'tasks': {
      const row = change.row;
      if (!(await anyRecordStored(trx, scope, source, row.linked_record_ids))) {
        await removeNotesOrTasks(trx, scope, 'tasks', [row.id]);
        return none;
      }
      const written = await upsertRows(trx, scope, 'tasks', [row]);
      await writeAttioChunks(trx, scope, config, {
        tasks: written.written,
        inserted: written.insertedIds,
      });
      return { applied: true, chunksWritten: written.written.length > 0 };
    }
    case 'record_gone':
      return { applied: await removeRecord(trx, scope, change.id), chunksWritten: false };
    case 'note_gone':
      return {
        applied: (await removeNotesOrTasks(trx, scope, 'notes', [change.id])) > 0,
        chunksWritten: false,
      };
    case 'task_gone':
      return {
        applied: (await removeNotesOrTasks(trx, scope, 'tasks', [change.id])) > 0,
        chunksWritten: false,
      };
  }
}

/**
 * The sync's scope rule (sync-attio.ts inScope) for one record. A list's members are what the
 * last sync read (the companies it stored): list entry events are not applied here, so a company
 * put in the list arrives with the next sync, which also drops one taken out.
 */
async function recordInScope(
  trx: Trx,
  scope: Scope,
  source: AttioSourceRecord,
  object: AttioObject,
  row: AttRows[AttioObject],
): Promise<boolean> {
  if (!source.companyRecordIds && !source.list) return true;
  const company = object === 'companies' ? row.id : (row as AttRows['people' | 'deals']).company_id;
  if (!company) return false;
  if (source.companyRecordIds?.includes(company)) return true;
  if (!source.list) return false;
  const { rows } = await sql<{ id: string }>`
    select id from att_companies where project_id = ${scope.projectId}::uuid and id = ${company}
    limit 1`.execute(trx);
  return rows.length > 0;
}

/** Notes and tasks are kept for records the project stores; the whole workspace keeps all. */
async function anyRecordStored(
  trx: Trx,
  scope: Scope,
  source: AttioSourceRecord,
  recordIds: string[],
): Promise<boolean> {
  if (!source.companyRecordIds && !source.list) return true;
  if (recordIds.length === 0) return false;
  const { rows } = await sql<{ id: string }>`
    select id from att_companies where project_id = ${scope.projectId}::uuid and id = any(${recordIds}::text[])
    union all select id from att_people where project_id = ${scope.projectId}::uuid and id = any(${recordIds}::text[])
    union all select id from att_deals where project_id = ${scope.projectId}::uuid and id = any(${recordIds}::text[])
    limit 1`.execute(trx);
  return rows.length > 0;
}

/** A record gone (or out of scope): its row, and the notes on it with their chunks. */
async function removeRecord(trx: Trx, scope: Scope, id: string): Promise<boolean> {
  let deleted = 0;
  for (const object of RECORD_OBJECTS) deleted += await deleteRows(trx, scope, object, [id]);
  // Deleting a record deletes its notes in Attio (tools/attio-sim README, control API).
  const { rows } = await sql<{ id: string }>`
    select id from att_notes where project_id = ${scope.projectId}::uuid
      and parent_record_id = ${id}`.execute(trx);
  deleted += await removeNotesOrTasks(
    trx,
    scope,
    'notes',
    rows.map((r) => r.id),
  );
  return deleted > 0;
}

async function removeNotesOrTasks(
  trx: Trx,
  scope: Scope,
  kind: 'notes' | 'tasks',
  ids: string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  await deleteAttioChunks(trx, scope, kind, ids);
  return deleteRows(trx, scope, kind, ids);
}

function refused(field: string, message: string) {
  return new AppError('validation_error', `webhook payload refused: ${field} ${message}`, {
    fields: [{ field, message }],
  });
}

function header(headers: AttioWebhookRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  const single = Array.isArray(value) ? value[0] : value;
  return single === undefined || single === '' ? undefined : single;
}
