import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import type { Secrets } from '../../lib/secrets.js';
import { hashUrlToken, loadSourceForWebhook } from '../sources/service.js';
import { applyConversations, applyMessageRows } from './apply.js';
import type { ChatwootContact, ChatwootConversation, ChatwootMessage } from './client.js';
import { toContactRow, toConversationRow, toMessageRow } from './normalize.js';
import { upsertContacts } from './sql.js';

/**
 * The Chatwoot webhook receiver (API-NOTES §8; security-and-reliability §7). Authentication fails
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

// Deliveries are remembered a day: far longer than the ±WEBHOOK_TOLERANCE_SECONDS window in which
// a replayed signature could still pass, so a replay is always either stale or a known delivery.
const DELIVERY_MEMORY = '1 day';

const invalid = (why: string) => new AppError('invalid_signature', `webhook rejected: ${why}`);

export async function receiveChatwootWebhook(
  deps: {
    database: Database;
    secrets: Secrets;
    config: Pick<Config, 'WEBHOOK_TOLERANCE_SECONDS' | 'CHUNK_SIZE' | 'MIN_EMBED_CHARS'>;
    /** Called once the delivery's new or changed chunks have committed, to get them embedded. */
    onChunksWritten?: (scope: Scope) => void;
  },
  request: WebhookRequest,
): Promise<WebhookOutcome> {
  const { database, secrets, config } = deps;
  const found = await loadSourceForWebhook(database, secrets, request.sourceId);
  // An unknown source gets the same answer as a bad signature: nothing to verify against.
  if (!found) throw invalid('unknown source or missing credentials');
  const { source, scope } = found;

  const signature = header(request.headers, 'x-chatwoot-signature');
  const timestamp = header(request.headers, 'x-chatwoot-timestamp');
  let deliveryKey: string;
  if (request.urlToken !== undefined && source.webhookUrlTokenHash && signature === undefined) {
    if (!constantTimeEqualHex(hashUrlToken(request.urlToken), source.webhookUrlTokenHash))
      throw invalid('wrong URL token');
    // Unsigned servers send no delivery id; an identical body is the same event.
    deliveryKey = `body:${createHash('sha256').update(request.rawBody).digest('hex')}`;
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
    const delivery = header(request.headers, 'x-chatwoot-delivery');
    deliveryKey = delivery && delivery.length <= 200 ? delivery : `sig:${signature.slice(7)}`;
  }

  let payload: Record<string, unknown>;
  try {
    const parsed = JSON.parse(request.rawBody.toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    payload = parsed as Record<string, unknown>;
  } catch {
    throw new AppError('validation_error', 'webhook body is not a JSON object', {
      fields: [{ field: 'body', message: 'is not a JSON object' }],
    });
  }
  const event = typeof payload.event === 'string' ? payload.event : null;
  const ids = { projectId: scope.projectId, accountId: source.accountId };

  let chunksWritten = false;
  const outcome = await database.withScope(scope, async (trx): Promise<WebhookOutcome> => {
    await sql`delete from cw_webhook_deliveries
      where source_id = ${source.id}::uuid and received_at < now() - ${DELIVERY_MEMORY}::interval`.execute(
      trx,
    );
    const { rows } = await sql`
      insert into cw_webhook_deliveries (project_id, account_scope_id, source_id, delivery_id, event)
      values (${scope.projectId}::uuid, ${scope.accountScopeId}::uuid, ${source.id}::uuid, ${deliveryKey}, ${event})
      on conflict (source_id, delivery_id) do nothing
      returning delivery_id`.execute(trx);
    if (rows.length === 0) return { event, applied: false, duplicate: true };
    if (!event || !APPLIED_EVENTS.has(event)) return { event, applied: false, duplicate: false };

    if (event === 'contact_created' || event === 'contact_updated') {
      const { event: _e, changed_attributes: _c, ...contact } = payload;
      if (typeof contact.id !== 'number') throw badPayload('id');
      await upsertContacts(trx, scope, [toContactRow(ids, contact as ChatwootContact, 'webhook')]);
      return { event, applied: true, duplicate: false };
    }

    if (event.startsWith('conversation_')) {
      const { event: _e, changed_attributes: _c, ...conversation } = payload;
      if (typeof conversation.id !== 'number') throw badPayload('id');
      await applyConversations(trx, scope, ids, [conversation as ChatwootConversation]);
      return { event, applied: true, duplicate: false };
    }

    // message_created / message_updated: the message carries its conversation (webhook shape).
    const { event: _e, conversation, ...message } = payload;
    const parent = conversation as ChatwootConversation | undefined;
    if (typeof message.id !== 'number') throw badPayload('id');
    if (!parent || typeof parent.id !== 'number') throw badPayload('conversation.id');
    await applyConversations(trx, scope, ids, [parent]);
    const contact = toConversationRow(ids, parent).contact_global_id;
    const row = toMessageRow(
      ids,
      { ...(message as ChatwootMessage), conversation_id: parent.id },
      contact,
    );
    const { chunks } = await applyMessageRows(trx, scope, [row], config);
    chunksWritten = chunks.created + chunks.reset > 0;
    return { event, applied: true, duplicate: false };
  });
  if (chunksWritten) deps.onChunksWritten?.(scope);
  return outcome;
}

const badPayload = (field: string) =>
  new AppError('validation_error', `webhook payload lacks ${field}`, {
    fields: [{ field, message: 'is required' }],
  });

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
