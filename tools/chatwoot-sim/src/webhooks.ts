// Chatwoot-shaped webhook deliveries, signed as v4.12+ signs account webhooks.
import { createHmac, randomUUID } from 'node:crypto';
import type { AccountEvent, AccountState } from './account-state.js';
import { contactWebhook, conversationWebhook, messageWebhook } from './shapes.js';

export type WebhookEventName = AccountEvent['event'];

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`, the X-Chatwoot-Signature value. */
export function signWebhook(
  secret: string,
  timestamp: number | string,
  rawBody: string | Buffer,
): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestamp}.`);
  hmac.update(rawBody);
  return `sha256=${hmac.digest('hex')}`;
}

export interface SignedDelivery {
  body: string;
  headers: Record<string, string>;
}

/** Headers and raw body exactly as the simulator (and Chatwoot) would POST them. */
export function signedDelivery(
  secret: string,
  payload: unknown,
  options: { timestamp?: number; deliveryId?: string } = {},
): SignedDelivery {
  const body = JSON.stringify(payload);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'x-chatwoot-delivery': options.deliveryId ?? randomUUID(),
      'x-chatwoot-timestamp': String(timestamp),
      'x-chatwoot-signature': signWebhook(secret, timestamp, body),
    },
  };
}

/** The body Chatwoot sends for an event, "event" and "changed_attributes" placed where it puts them. */
export function renderWebhookPayload(
  account: AccountState,
  event: AccountEvent,
): Record<string, unknown> {
  switch (event.event) {
    case 'message_created':
    case 'message_updated':
      return { ...messageWebhook(account, event.conversation, event.message), event: event.event };
    case 'conversation_created':
      return { ...conversationWebhook(account, event.conversation), event: event.event };
    case 'conversation_status_changed':
      // Chatwoot builds this after the in-memory diff is cleared; captured payloads show null.
      return {
        ...conversationWebhook(account, event.conversation),
        event: event.event,
        changed_attributes: null,
      };
    case 'conversation_updated':
      return {
        ...conversationWebhook(account, event.conversation),
        event: event.event,
        changed_attributes: event.changed,
      };
    case 'contact_created':
      return { ...contactWebhook(account, event.contact), event: event.event };
    case 'contact_updated':
      return {
        ...contactWebhook(account, event.contact),
        event: event.event,
        changed_attributes: event.changed,
      };
  }
}

export interface WebhookDelivery {
  event: string;
  deliveryId: string;
  timestamp: number;
  body: string;
  status: number | null;
  error: string | null;
}

/** Chatwoot's WEBHOOK_TIMEOUT default. */
const DELIVERY_TIMEOUT_MS = 5_000;
const KEPT_DELIVERIES = 1_000;

export class WebhookDispatcher {
  readonly deliveries: WebhookDelivery[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private target: { url: string; secret: string } | null,
    private readonly defaultSecret: string,
  ) {}

  /** Points deliveries at a new URL (null stops them); the secret stays unless a new one is given. */
  configure(url: string | null, secret?: string): void {
    this.target = url === null ? null : { url, secret: secret ?? this.secret };
  }

  get secret(): string {
    return this.target?.secret ?? this.defaultSecret;
  }

  /** Fire and forget, never retried, as for Chatwoot account webhooks. */
  send(payload: Record<string, unknown>): void {
    const target = this.target;
    if (!target) return;
    const signed = signedDelivery(target.secret, payload);
    const record: WebhookDelivery = {
      event: String(payload['event']),
      deliveryId: signed.headers['x-chatwoot-delivery']!,
      timestamp: Number(signed.headers['x-chatwoot-timestamp']),
      body: signed.body,
      status: null,
      error: null,
    };
    this.deliveries.push(record);
    if (this.deliveries.length > KEPT_DELIVERIES) this.deliveries.shift();
    const attempt = fetch(target.url, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    })
      .then(async (response) => {
        record.status = response.status;
        await response.arrayBuffer().catch(() => undefined);
      })
      .catch((error: unknown) => {
        record.error = error instanceof Error ? error.message : String(error);
      })
      .finally(() => this.pending.delete(attempt));
    this.pending.add(attempt);
  }

  /** Waits for deliveries in flight; tests call it before asserting on the receiver. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
