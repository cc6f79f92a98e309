import type { Database, Scope } from '../../../db/database.js';
import type { Secrets } from '../../../lib/secrets.js';

/** What an adapter needs to deliver one message once. */
export interface DeliveryRequest {
  messageId: string;
  /** Our idempotency handle at the provider: the same for every attempt of one message. */
  handle: string;
  content: string;
  subject?: string;
  /** chatwoot: the conversation to reply into. */
  chatwoot?: { baseUrl: string; accountId: number; apiToken: string; conversationId: number };
  /** email: the recipient and the one-click unsubscribe link. */
  email?: { to: string; toName: string | null; unsubscribeUrl: string };
  /** Earliest time an earlier attempt could have reached the provider; bounds a reconcile lookup. */
  firstAttemptAt?: Date;
}

export interface DeliveryResult {
  providerMessageId: string;
  response: Record<string, unknown>;
}

/**
 * A delivery that did not succeed. `retryable`: a later attempt may succeed (429, 5xx, network).
 * `outcomeUnknown`: the request may have reached the provider (a timeout or a dropped connection
 * after sending), so the next attempt must reconcile before it sends again.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly outcomeUnknown: boolean,
    readonly response: Record<string, unknown> | null = null,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/**
 * One channel's delivery. A connector that can deliver provides its adapter behind this interface
 * (connectors/chatwoot/deliver.ts) and the registry (adapters/index.ts) holds it: outbound keeps
 * only global ids and never reads a connector's credentials or provider ids itself.
 */
export interface DeliveryAdapter {
  readonly channel: 'chatwoot' | 'email';
  /**
   * Where one message goes at the provider (credentials, provider ids), from the global ids
   * outbound stores; read before the send transaction, since credentials are decrypted here.
   * Absent when the request needs nothing from the channel's source (email).
   */
  resolveTarget?(
    context: { database: Database; secrets: Secrets; scope: Scope },
    message: { conversationGlobalId: string | null; contactGlobalId: string | null },
  ): Promise<Pick<DeliveryRequest, 'chatwoot'>>;
  deliver(request: DeliveryRequest): Promise<DeliveryResult>;
  /**
   * Finds a message an earlier attempt delivered, by our handle; null when the provider has none.
   * Absent when the provider cannot be asked (SMTP): then an unknown outcome is never resent
   * automatically.
   */
  lookup?(request: DeliveryRequest): Promise<DeliveryResult | null>;
}

export type DeliveryAdapters = Record<'chatwoot' | 'email', DeliveryAdapter>;
