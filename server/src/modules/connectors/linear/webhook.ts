import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { z } from 'zod';
import type { Config } from '../../../config.js';
import type { Database, Scope } from '../../../db/database.js';
import type { DB } from '../../../db/schema.js';
import { AppError } from '../../../http/errors.js';
import type { Secrets } from '../../../lib/secrets.js';
import { scrubJson } from '../../../lib/text.js';
import { claimWebhookDelivery } from '../../../lib/webhook-replay-guard.js';
import {
  loadLinearSourceForWebhook,
  type LinearSourceRecord,
} from '../../sources/linear-source.js';
import { recordWebhookError } from '../../sources/service.js';
import { deleteLinearChunks, writeLinearChunks } from './chunks.js';
import { normalize } from './normalize.js';
import { linearComment, linearIssue } from './payloads.js';
import { deleteRows, upsertRows } from './store.js';
import { issueInScope } from './sync-linear.js';

/**
 * The Linear webhook receiver, `POST /webhooks/linear/:source_id` (facts: API-NOTES §5, mirrored
 * by tools/linear-sim/src/webhooks.ts). It fails closed:
 *
 * - `Linear-Signature` is the hex HMAC-SHA256 of the raw body with the source's webhook secret,
 *   compared in constant time; no secret, no signature, or a mismatch is a 401.
 * - `webhookTimestamp` (epoch milliseconds, inside the signed body) must be within a minute of now,
 *   Linear's own guidance; outside it, or missing, is a 401 too.
 * - A delivery is claimed in webhook_receipts (receiver `linear`, per source) by the hash of the
 *   signed bytes and by its `Linear-Delivery` id, in the transaction that applies it: the same
 *   delivery twice is applied once (lib/webhook-replay-guard.ts).
 *
 * Issue and Comment create/update/remove go through the sync's own writes (store.ts, chunks.ts),
 * so a webhook-applied row is the row the next sync would write and that sync writes nothing.
 * Polling stays the reconciliation: Linear gives up on a failing webhook after retries.
 */

export const LINEAR_WEBHOOK_TOLERANCE_MS = 60_000;
// Receipts outlive the tolerance by far (lib/webhook-replay-guard.ts): a day.
const RECEIPT_MEMORY_SECONDS = 86_400;

export interface LinearWebhookRequest {
  sourceId: string;
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

export interface LinearWebhookOutcome {
  event: string | null;
  applied: boolean;
  duplicate: boolean;
}

const invalid = (why: string) => new AppError('invalid_signature', `webhook rejected: ${why}`);

const envelope = z.object({
  action: z.enum(['create', 'update', 'remove']),
  type: z.string().min(1).max(100),
  organizationId: z.string().min(1),
  data: z.record(z.string(), z.unknown()),
  /** The entity's own url: CommentWebhookPayload has none in `data` (schema.graphql). */
  url: z.string().optional(),
});

export async function receiveLinearWebhook(
  deps: {
    database: Database;
    secrets: Secrets;
    config: Pick<Config, 'CHUNK_SIZE' | 'MIN_EMBED_CHARS'>;
    /** Called once the delivery's new or changed chunks have committed, to get them embedded. */
    onChunksWritten?: (scope: Scope) => void;
    now?: () => number;
  },
  request: LinearWebhookRequest,
): Promise<LinearWebhookOutcome> {
  const { database, secrets, config } = deps;
  const found = await loadLinearSourceForWebhook(database, secrets, request.sourceId);
  // An unknown source gets the same answer as a bad signature: nothing to verify against.
  if (!found) throw invalid('unknown source or missing credentials');
  const { source, scope } = found;
  if (!source.webhookSecret) throw invalid('the source has no webhook secret');

  const signature = header(request.headers, 'linear-signature');
  if (signature === undefined) throw invalid('missing Linear-Signature');
  const check = verifyLinearSignature(source.webhookSecret, request.rawBody, signature);
  if (check !== 'ok') throw invalid(check);

  // Signed from here on; the timestamp inside the body is what makes a captured request useless.
  let payload: Record<string, unknown>;
  try {
    const value = JSON.parse(request.rawBody.toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error();
    // Text Postgres cannot store (NUL, lone surrogates) becomes U+FFFD, as in every ingest path.
    payload = scrubJson(value as Record<string, unknown>);
  } catch {
    throw refused('body', 'is not a JSON object');
  }
  const timestamp = payload.webhookTimestamp;
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp))
    throw invalid('missing webhookTimestamp');
  const now = (deps.now ?? Date.now)();
  if (Math.abs(now - timestamp) > LINEAR_WEBHOOK_TOLERANCE_MS) throw invalid('stale timestamp');

  const parsed = parseDelivery(payload, source);
  if (!parsed.ok) {
    await recordWebhookError(
      database,
      scope,
      source.id,
      `${parsed.event ?? 'webhook'} refused: ${parsed.field} ${parsed.message}`,
    );
    throw refused(parsed.field, parsed.message);
  }
  const { event, apply } = parsed;
  const delivery = header(request.headers, 'linear-delivery');

  let chunksWritten = false;
  const outcome = await database.withScope(scope, async (trx): Promise<LinearWebhookOutcome> => {
    const claim = await claimWebhookDelivery(trx, scope, {
      receiver: 'linear',
      endpointId: source.id,
      signed: request.rawBody,
      deliveryId: delivery && delivery.length <= 200 ? delivery : undefined,
      event,
      rememberSeconds: RECEIPT_MEMORY_SECONDS,
    });
    if (claim === 'replay') return { event, applied: false, duplicate: true };
    if (!apply) return { event, applied: false, duplicate: false };
    const result = await apply(trx, scope, config);
    chunksWritten = result.chunksWritten;
    return { event, applied: result.applied, duplicate: false };
  });
  if (chunksWritten) deps.onChunksWritten?.(scope);
  return outcome;
}

/** `Linear-Signature`: hex HMAC-SHA256 of the raw body, compared in constant time. */
export function verifyLinearSignature(
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

type Apply = (
  trx: Transaction<DB>,
  scope: Scope,
  config: Pick<Config, 'CHUNK_SIZE' | 'MIN_EMBED_CHARS'>,
) => Promise<{ applied: boolean; chunksWritten: boolean }>;

type Parsed =
  | { ok: true; event: string | null; apply: Apply | null }
  | { ok: false; event: string | null; field: string; message: string };

function parseDelivery(payload: Record<string, unknown>, source: LinearSourceRecord): Parsed {
  const head = envelope.safeParse(payload);
  const event =
    typeof payload.type === 'string' && typeof payload.action === 'string'
      ? `${payload.type}:${payload.action}`.slice(0, 100)
      : null;
  if (!head.success) return { ok: false, event, ...firstIssue(head.error) };
  const { action, type, organizationId, url } = head.data;
  const data =
    head.data.data.url === undefined && url ? { ...head.data.data, url } : head.data.data;
  if (organizationId !== source.organizationId) {
    return {
      ok: false,
      event,
      field: 'organizationId',
      message: 'is not the Linear workspace this source is bound to',
    };
  }
  // Other resource types (Project, Customer, …) are left to the sync.
  if (type !== 'Issue' && type !== 'Comment') return { ok: true, event, apply: null };
  const id = typeof data.id === 'string' && data.id.length > 0 ? data.id : null;
  if (!id) return { ok: false, event, field: 'data.id', message: 'must be a string' };
  const org = source.organizationId;

  if (action === 'remove') {
    return {
      ok: true,
      event,
      apply: async (trx, scope) => {
        if (type === 'Issue') {
          // Deleting an issue deletes its comments (API-NOTES §3); Linear sends no event for them.
          const { rows } = await sql<{ id: string }>`
            select id from lin_comments where project_id = ${scope.projectId}::uuid
              and issue_id = ${id}`.execute(trx);
          const comments = rows.map((r) => r.id);
          await deleteLinearChunks(trx, scope, 'comments', comments);
          await deleteRows(trx, scope, 'comments', comments);
          await deleteLinearChunks(trx, scope, 'issues', [id]);
          await deleteRows(trx, scope, 'issues', [id]);
        } else {
          await deleteLinearChunks(trx, scope, 'comments', [id]);
          await deleteRows(trx, scope, 'comments', [id]);
        }
        return { applied: true, chunksWritten: false };
      },
    };
  }

  if (type === 'Issue') {
    const read = readNode(linearIssue, {
      ...data,
      labels: { nodes: Array.isArray(data.labels) ? data.labels : [] },
    });
    if (!read.ok) return { ok: false, event, field: read.field, message: read.message };
    const issue = read.value;
    const row = normalize.issues(org, issue);
    const inScope = issueInScope(source, {
      teamId: issue.team.id,
      projectId: issue.project?.id ?? null,
    });
    return {
      ok: true,
      event,
      apply: async (trx, scope, config) => {
        if (!inScope) {
          // Moved out of the binding's teams and projects: gone from this project, as the next
          // sync's id listing would decide.
          await deleteLinearChunks(trx, scope, 'issues', [row.id]);
          await deleteRows(trx, scope, 'issues', [row.id]);
          return { applied: false, chunksWritten: false };
        }
        if (await newerStored(trx, scope, 'lin_issues', row.id, row.source_updated_at))
          return { applied: false, chunksWritten: false };
        const written = await upsertRows(trx, scope, 'issues', [row]);
        await writeLinearChunks(trx, scope, config, {
          issues: written.written,
          inserted: written.insertedIds,
        });
        return { applied: true, chunksWritten: written.written.length > 0 };
      },
    };
  }

  const read = readNode(linearComment, data);
  if (!read.ok) return { ok: false, event, field: read.field, message: read.message };
  const row = normalize.comments(org, read.value);
  const scoped = source.teamIds.length + source.projectIds.length > 0;
  return {
    ok: true,
    event,
    apply: async (trx, scope, config) => {
      if (scoped) {
        // A scoped binding keeps the comments of the issues it stores.
        const { rows } = await sql<{ id: string }>`
          select id from lin_issues where project_id = ${scope.projectId}::uuid
            and id = ${row.issue_id}`.execute(trx);
        if (rows.length === 0) return { applied: false, chunksWritten: false };
      }
      if (await newerStored(trx, scope, 'lin_comments', row.id, row.source_updated_at))
        return { applied: false, chunksWritten: false };
      const written = await upsertRows(trx, scope, 'comments', [row]);
      await writeLinearChunks(trx, scope, config, {
        comments: written.written,
        inserted: written.insertedIds,
      });
      return { applied: true, chunksWritten: written.written.length > 0 };
    },
  };
}

/**
 * A webhook's entity as the sync's page schema reads it (payloads.ts), so that the stored `data`
 * and its hash are the sync's: the schema keeps only the fields the sync asks for, in its order.
 * Nullable fields a webhook leaves out (Linear omits some nulls) read as null.
 */
function readNode<S extends z.ZodObject>(
  schema: S,
  data: Record<string, unknown>,
): { ok: true; value: z.infer<S> } | { ok: false; field: string; message: string } {
  const filled: Record<string, unknown> = { ...data };
  for (const [key, field] of Object.entries(schema.shape)) {
    if (filled[key] === undefined && (field as z.ZodType).safeParse(null).success)
      filled[key] = null;
  }
  const parsed = schema.safeParse(filled);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = firstIssue(parsed.error);
  return { ok: false, field: `data.${issue.field}`, message: issue.message };
}

function firstIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  return {
    field: issue?.path.map(String).join('.') || 'body',
    message: issue?.message ?? 'is invalid',
  };
}

/** Linear retries and may deliver out of order: an older version never overwrites a newer one. */
async function newerStored(
  trx: Transaction<DB>,
  scope: Scope,
  table: 'lin_issues' | 'lin_comments',
  id: string,
  updatedAt: string,
): Promise<boolean> {
  const { rows } = await sql<{ newer: boolean }>`
    select source_updated_at > ${updatedAt}::timestamptz as newer from ${sql.table(table)}
    where project_id = ${scope.projectId}::uuid and id = ${id}`.execute(trx);
  return rows[0]?.newer === true;
}

function refused(field: string, message: string) {
  return new AppError('validation_error', `webhook payload refused: ${field} ${message}`, {
    fields: [{ field, message }],
  });
}

function header(headers: LinearWebhookRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  const single = Array.isArray(value) ? value[0] : value;
  return single === undefined || single === '' ? undefined : single;
}
