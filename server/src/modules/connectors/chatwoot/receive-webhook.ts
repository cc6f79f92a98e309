import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Config } from '../../../config.js';
import type { Database, Scope } from '../../../db/database.js';
import type { DB } from '../../../db/schema.js';
import { AppError } from '../../../http/errors.js';
import type { Secrets } from '../../../lib/secrets.js';
import { scrubText } from '../../../lib/text.js';
import { claimWebhookDelivery } from '../../../lib/webhook-replay-guard.js';
import { hashUrlToken, loadSourceForWebhook, recordWebhookError } from '../../sources/service.js';
import type { ChunkConfig } from '../../ingest/chunks.js';
import {
  runMessagesAppliedHooks,
  type InboundRepliesHook,
  type IngestSubscribers,
} from '../../ingest/events.js';
import { applyConversations, applyMessageRows } from './apply.js';
import { conversationGlobalId } from './ids.js';
import { toContactRow, toConversationRow, toMessageRow, type Ids } from './normalize.js';
import {
  readContactEvent,
  readConversationEvent,
  readMessageEvent,
  type PayloadProblem,
} from './payloads.js';
import { upsertContacts } from './sql.js';

/**
 * The Chatwoot webhook receiver (docs/chatwoot.md §8). Authentication fails
 * closed: a request passes only with a valid v4.12+ signature over the raw bytes, or, for a source
 * explicitly set up for pre-4.12 servers, the long random URL token whose hash the source holds.
 * Chatwoot never retries a webhook, so polling stays the reconciliation; this path only makes
 * changes visible sooner, through the same writes as the sync.
 */

export interface WebhookRequest {
  sourceId: string;
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  urlToken?: string;
}

export interface WebhookOutcome {
  event: string | null;
  applied: boolean;
  duplicate: boolean;
}

const APPLIED_EVENTS = new Set([
  'message_created',
  'message_updated',
  'conversation_created',
  'conversation_updated',
  'conversation_status_changed',
  'contact_created',
  'contact_updated',
]);

// Receipts are remembered a day, and never less than twice the tolerance: a timestamp may be that
// far ahead when first seen and that far behind when replayed, so within the memory a replay is
// always either stale or a known receipt.
const RECEIPT_MEMORY_SECONDS = 86_400;

const invalid = (why: string) => new AppError('invalid_signature', `webhook rejected: ${why}`);

export async function receiveChatwootWebhook(
  deps: {
    database: Database;
    secrets: Secrets;
    config: Pick<Config, 'WEBHOOK_TOLERANCE_SECONDS' | 'CHUNK_SIZE' | 'MIN_EMBED_CHARS'>;
    /** Called once the delivery's new or changed chunks have committed, to get them embedded. */
    onChunksWritten?: (scope: Scope) => void;
    /**
     * Awaited once a delivery that may have written contacts (contact and conversation events)
     * has committed: what depends on contacts (people linking) follows before the request returns.
     */
    onContactsChanged?: (scope: Scope) => Promise<void>;
  } & IngestSubscribers,
  request: WebhookRequest,
): Promise<WebhookOutcome> {
  const { database, secrets, config } = deps;
  const found = await loadSourceForWebhook(database, secrets, request.sourceId);
  // An unknown source gets the same answer as a bad signature: nothing to verify against.
  if (!found) throw invalid('unknown source or missing credentials');
  const { source, scope } = found;

  const signature = header(request.headers, 'x-chatwoot-signature');
  const timestamp = header(request.headers, 'x-chatwoot-timestamp');
  // What the credential vouches for: the replay key (lib/webhook-replay-guard.ts).
  let signed: Buffer;
  if (request.urlToken !== undefined && source.webhookUrlTokenHash && signature === undefined) {
    if (!constantTimeEqualHex(hashUrlToken(request.urlToken), source.webhookUrlTokenHash))
      throw invalid('wrong URL token');
    // Unsigned servers send no timestamp: the body alone is the delivery.
    signed = request.rawBody;
  } else {
    if (!source.webhookSecret) throw invalid('the source has no webhook secret');
    if (signature === undefined || timestamp === undefined)
      throw invalid('missing X-Chatwoot-Signature or X-Chatwoot-Timestamp');
    const check = verifyChatwootSignature({
      secret: source.webhookSecret,
      rawBody: request.rawBody,
      timestamp,
      signature,
      toleranceSeconds: config.WEBHOOK_TOLERANCE_SECONDS,
    });
    if (check !== 'ok') throw invalid(check);
    signed = Buffer.concat([Buffer.from(`${timestamp}.`), request.rawBody]);
  }

  // Authenticated from here on, but still input: read through the same schemas as the API
  // client's responses (payloads.ts). A refusal is recorded on the source, since Chatwoot never
  // retries and nobody else would ever see it.
  const parsed = parseEvent(request.rawBody);
  if (!parsed.ok) {
    await recordWebhookError(
      database,
      scope,
      source.id,
      `${parsed.event ?? 'webhook'} refused: ${parsed.problem.field} ${parsed.problem.message}`,
    );
    throw new AppError(
      'validation_error',
      `webhook payload refused: ${parsed.problem.field} ${parsed.problem.message}`,
      { fields: [parsed.problem] },
    );
  }
  const { event, apply } = parsed;
  const ids = { projectId: scope.projectId, accountId: source.accountId };
  const delivery = header(request.headers, 'x-chatwoot-delivery');

  let chunksWritten = false;
  const outcome = await database.withScope(scope, async (trx): Promise<WebhookOutcome> => {
    const claim = await claimWebhookDelivery(trx, scope, {
      receiver: 'chatwoot',
      endpointId: source.id,
      signed,
      deliveryId: delivery && delivery.length <= 200 ? delivery : undefined,
      event,
      rememberSeconds: Math.max(RECEIPT_MEMORY_SECONDS, 2 * config.WEBHOOK_TOLERANCE_SECONDS),
    });
    if (claim === 'replay') return { event, applied: false, duplicate: true };
    if (!apply) return { event, applied: false, duplicate: false };
    const applied = await apply(trx, scope, ids, config, deps.onInboundReplies);
    chunksWritten = applied.chunksWritten;
    await runMessagesAppliedHooks(deps.onMessagesApplied, trx, scope, applied.conversations);
    return { event, applied: true, duplicate: false };
  });
  if (chunksWritten) deps.onChunksWritten?.(scope);
  if (outcome.applied && /^(contact|conversation)_/.test(event ?? ''))
    await deps.onContactsChanged?.(scope);
  return outcome;
}

type Apply = (
  trx: Transaction<DB>,
  scope: Scope,
  ids: Ids,
  config: ChunkConfig,
  onInboundReplies: readonly InboundRepliesHook[],
) => Promise<{
  /** True when chunks were written: the caller wakes an embeddings run. */
  chunksWritten: boolean;
  /** The conversations whose state the event changed (global ids). */
  conversations: string[];
}>;

type ParsedEvent =
  | { ok: true; event: string | null; apply: Apply | null }
  | { ok: false; event: string | null; problem: PayloadProblem };

/**
 * The body as one of the events ingestion applies (or an event it ignores), or the first field
 * that is not Chatwoot's shape. Objects are applied as partial: a webhook writes only the keys
 * it carries (normalize.ts).
 */
function parseEvent(rawBody: Buffer): ParsedEvent {
  let payload: Record<string, unknown>;
  try {
    const value = JSON.parse(rawBody.toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error();
    payload = value as Record<string, unknown>;
  } catch {
    return { ok: false, event: null, problem: { field: 'body', message: 'is not a JSON object' } };
  }
  const event = typeof payload.event === 'string' ? scrubText(payload.event).slice(0, 100) : null;
  if (!event || !APPLIED_EVENTS.has(event)) return { ok: true, event, apply: null };
  const { event: _event, changed_attributes: _changed, ...object } = payload;
  const partial = { partial: true };

  if (event.startsWith('contact_')) {
    const read = readContactEvent(object);
    if (!read.ok) return { ok: false, event, problem: read.problem };
    return {
      ok: true,
      event,
      apply: async (trx, scope, ids) => {
        await upsertContacts(trx, scope, [toContactRow(ids, read.value, 'webhook', partial)]);
        return { chunksWritten: false, conversations: [] };
      },
    };
  }
  if (event.startsWith('conversation_')) {
    const read = readConversationEvent(object);
    if (!read.ok) return { ok: false, event, problem: read.problem };
    return {
      ok: true,
      event,
      apply: async (trx, scope, ids) => {
        await applyConversations(trx, scope, ids, [read.value], partial);
        return {
          chunksWritten: false,
          conversations: [conversationGlobalId(ids.projectId, ids.accountId, read.value.id)],
        };
      },
    };
  }
  // message_created / message_updated: the message carries its conversation (webhook shape).
  const read = readMessageEvent(object);
  if (!read.ok) return { ok: false, event, problem: read.problem };
  return {
    ok: true,
    event,
    apply: async (trx, scope, ids, config, onInboundReplies) => {
      const { conversation, ...message } = read.value;
      await applyConversations(trx, scope, ids, [conversation], partial);
      const parent = toConversationRow(ids, conversation, partial);
      const contact = parent.carried?.includes('contact_global_id')
        ? parent.contact_global_id
        : undefined;
      const { chunks } = await applyMessageRows(
        trx,
        scope,
        [toMessageRow(ids, message, conversation.id, contact, partial)],
        config,
        onInboundReplies,
      );
      return {
        chunksWritten: chunks.created + chunks.reset > 0,
        conversations: [conversationGlobalId(ids.projectId, ids.accountId, conversation.id)],
      };
    },
  };
}

/**
 * `X-Chatwoot-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`, compared in
 * constant time, with the timestamp within ±tolerance in both directions (Chatwoot itself does
 * not check freshness; refusing stale ones is what makes a captured request useless later).
 */
export function verifyChatwootSignature(input: {
  secret: string;
  rawBody: Buffer;
  timestamp: string;
  signature: string;
  toleranceSeconds: number;
  nowSeconds?: number;
}):
  'ok' | 'malformed timestamp' | 'stale timestamp' | 'malformed signature' | 'signature mismatch' {
  if (!/^\d{1,12}$/.test(input.timestamp)) return 'malformed timestamp';
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(input.timestamp)) > input.toleranceSeconds) return 'stale timestamp';
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(input.signature.trim());
  if (!match) return 'malformed signature';
  const expected = createHmac('sha256', input.secret)
    .update(`${input.timestamp}.`)
    .update(input.rawBody)
    .digest();
  const given = Buffer.from(match[1]!, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? 'ok'
    : 'signature mismatch';
}

function constantTimeEqualHex(a: string, b: string) {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

function header(headers: WebhookRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  const single = Array.isArray(value) ? value[0] : value;
  return single === undefined || single === '' ? undefined : single;
}
