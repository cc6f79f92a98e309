import type { Database, Scope } from '../../../db/database.js';
import { inScope } from '../../../db/scoped-sql.js';
import { blockedCause, type GuardedHttp } from '../../../lib/net/guarded-http.js';
import type { Secrets } from '../../../lib/secrets.js';
// The one import a connector makes from outbound: the delivery interface it implements
// (test/connectors/import-graph.test.ts holds every connector to that).
import {
  DeliveryError,
  type DeliveryAdapter,
  type DeliveryRequest,
  type DeliveryResult,
} from '../../outbound/adapters/types.js';
import { loadChatwootSource } from '../../sources/service.js';
import { ChatwootClient, type ChatwootMessage } from './client.js';

// A reconcile looks back at most this many pages of 20 messages: a busy conversation gets a few
// dozen messages between a crash and its retry, not hundreds.
const LOOKUP_MAX_PAGES = 10;
// Clock skew allowance between Chatwoot's created_at and ours when deciding to stop paging back.
const LOOKUP_SKEW_SECONDS = 300;

/**
 * Posts an outgoing reply into the conversation (docs/chatwoot.md §5). Each attempt is one POST with no
 * retry inside it: retrying a non-idempotent POST blindly is how duplicates happen. Our handle
 * travels as `echo_id` and as `content_attributes.cairn_outbound_id`, which Chatwoot stores, so a
 * later attempt can find a message an earlier one delivered (`lookup`).
 */
export function createChatwootAdapter(options: {
  timeoutMs: number;
  /** The guarded agent (lib/net): a source's base URL is user input. */
  http: GuardedHttp;
}): DeliveryAdapter {
  return {
    channel: 'chatwoot',
    resolveTarget: resolveChatwootTarget,
    async deliver(request) {
      const target = requireTarget(request);
      const url = `${target.baseUrl.replace(/\/+$/, '')}/api/v1/accounts/${target.accountId}/conversations/${target.conversationId}/messages`;
      let response: Response;
      try {
        response = await options.http.fetch(url, {
          method: 'POST',
          headers: {
            api_access_token: target.apiToken,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          body: JSON.stringify({
            content: request.content,
            message_type: 'outgoing',
            private: false,
            echo_id: request.handle,
            content_attributes: { cairn_outbound_id: request.handle },
          }),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        // Refused before connecting: nothing was sent, and retrying cannot change the answer.
        const blocked = blockedCause(error);
        if (blocked)
          throw new DeliveryError(`Chatwoot was not contacted: ${blocked.message}`, false, false);
        const timedOut =
          error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        throw new DeliveryError(
          timedOut
            ? `Chatwoot did not answer within ${options.timeoutMs} ms`
            : 'Chatwoot unreachable: no usable HTTP response',
          true,
          true,
        );
      }
      const text = await response.text().catch(() => '');
      const body = parse(text);
      if (response.ok && body && typeof body.id === 'number') {
        return { providerMessageId: String(body.id), response: summary(body) };
      }
      // The status only: an upstream body is never echoed into what users see.
      const detail = `Chatwoot answered HTTP ${response.status}`;
      const retryable =
        response.status === 429 || response.status === 408 || response.status >= 500;
      // A 5xx may come from a proxy after Chatwoot stored the message: reconcile before resending.
      throw new DeliveryError(detail, retryable, response.status >= 500 || response.ok, {
        status: response.status,
      });
    },

    async lookup(request) {
      const target = requireTarget(request);
      const client = new ChatwootClient({
        fetch: options.http.fetch,
        baseUrl: target.baseUrl,
        accountId: target.accountId,
        apiToken: target.apiToken,
        timeoutMs: options.timeoutMs,
        maxRetries: 2,
        concurrency: 1,
      });
      const notBefore = request.firstAttemptAt
        ? request.firstAttemptAt.getTime() / 1000 - LOOKUP_SKEW_SECONDS
        : null;
      let before: number | undefined;
      for (let page = 0; page < LOOKUP_MAX_PAGES; page++) {
        const { payload } = await client.listMessages(
          target.conversationId,
          before === undefined ? {} : { before },
        );
        const found = payload.find((m) => carriesHandle(m, request.handle));
        if (found)
          return {
            providerMessageId: String(found.id),
            response: { ...summary(found), reconciled: true },
          };
        if (payload.length === 0) return null;
        const oldest = payload[0]!;
        if (
          notBefore !== null &&
          typeof oldest.created_at === 'number' &&
          oldest.created_at < notBefore
        )
          return null;
        before = Number(oldest.id);
      }
      return null;
    },
  };
}

function carriesHandle(message: ChatwootMessage, handle: string): boolean {
  const m = message as Record<string, unknown>;
  const attributes = m.content_attributes as Record<string, unknown> | null | undefined;
  return m.echo_id === handle || attributes?.cairn_outbound_id === handle;
}

function requireTarget(request: DeliveryRequest) {
  if (!request.chatwoot)
    throw new DeliveryError('no Chatwoot conversation to reply into', false, false);
  return request.chatwoot;
}

function summary(body: Record<string, unknown>): Record<string, unknown> {
  return {
    id: body.id,
    status: body.status,
    conversation_id: body.conversation_id,
    created_at: body.created_at,
  };
}

function parse(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

export type { DeliveryResult };

/**
 * The project's bound account and the Chatwoot conversation id behind the message's
 * conversation global id; none when either is gone (deliver then refuses without retrying).
 */
async function resolveChatwootTarget(
  context: { database: Database; secrets: Secrets; scope: Scope },
  message: { conversationGlobalId: string | null },
): Promise<Pick<DeliveryRequest, 'chatwoot'>> {
  const { database, secrets, scope } = context;
  const conversationGlobalId = message.conversationGlobalId;
  if (!conversationGlobalId) return {};
  const source = await loadChatwootSource(database, secrets, scope);
  if (!source) return {};
  const conversation = await database.withScope(scope, (trx) =>
    trx
      .selectFrom('cw_conversations')
      .select('conversation_id')
      .where('id', '=', conversationGlobalId)
      .where(inScope(scope))
      .executeTakeFirst(),
  );
  if (!conversation) return {};
  return {
    chatwoot: {
      baseUrl: source.baseUrl,
      accountId: source.accountId,
      apiToken: source.apiToken,
      conversationId: conversation.conversation_id,
    },
  };
}
