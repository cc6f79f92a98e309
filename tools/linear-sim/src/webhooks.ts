// Linear webhook deliveries: `{action, type, data, url, createdAt, updatedFrom?, organizationId,
// webhookId, webhookTimestamp}` POSTed as JSON, signed with `Linear-Signature` = hex HMAC-SHA256 of
// the raw body with the webhook's secret, one `Linear-Delivery` UUID per delivery and
// `Linear-Event` naming the entity type. @linear/sdk's LinearWebhookClient verifies them.
import { createHmac, randomUUID } from 'node:crypto';
import { DeliveryQueue, type WebhookDelivery } from '@cairn/studio';

type Json = Record<string, unknown>;

export type LinearWebhookType = 'Issue' | 'Comment';
export type LinearWebhookAction = 'create' | 'update' | 'remove';

/** The `Linear-Signature` value: hex HMAC-SHA256 of the raw body bytes. */
export function signLinearWebhook(secret: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

export interface LinearSignedDelivery {
  body: string;
  headers: Record<string, string>;
}

/** Headers and raw body exactly as the simulator (and Linear) would POST them. */
export function linearSignedDelivery(
  secret: string,
  payload: Json,
  options: { deliveryId?: string } = {},
): LinearSignedDelivery {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Linear-Webhook',
      'linear-delivery': options.deliveryId ?? randomUUID(),
      'linear-event': String(payload['type']),
      'linear-signature': signLinearWebhook(secret, body),
    },
  };
}

/** Previous values of the fields that changed (and updatedAt), as Linear's `updatedFrom`. */
export function updatedFrom(before: Json, after: Json): Json {
  const changed: Json = {};
  for (const [key, value] of Object.entries(before)) {
    if (JSON.stringify(value) !== JSON.stringify(after[key])) changed[key] = value;
  }
  return changed;
}

export interface WebhookEnvelopeInput {
  action: LinearWebhookAction;
  type: LinearWebhookType;
  data: Json;
  url: string;
  updatedFrom?: Json;
  actor: Json | null;
  organizationId: string;
  webhookId: string;
  /** Unix milliseconds; also `webhookTimestamp` unless given. */
  at?: number;
  webhookTimestamp?: number;
}

export function webhookEnvelope(input: WebhookEnvelopeInput): Json {
  const at = input.at ?? Date.now();
  return {
    action: input.action,
    ...(input.actor && { actor: input.actor }),
    createdAt: new Date(at).toISOString(),
    data: input.data,
    url: input.url,
    type: input.type,
    ...(input.updatedFrom && { updatedFrom: input.updatedFrom }),
    organizationId: input.organizationId,
    webhookTimestamp: input.webhookTimestamp ?? at,
    webhookId: input.webhookId,
  };
}

export class LinearWebhooks {
  private url: string | null;
  private signingSecret: string;
  private readonly queue = new DeliveryQueue();

  constructor(
    target: { url: string; secret?: string } | null,
    private readonly defaults: { secret: string; webhookId: string },
  ) {
    this.url = target?.url ?? null;
    this.signingSecret = target?.secret ?? defaults.secret;
  }

  /** Points deliveries at a URL (null stops them); the secret stays unless a new one is given. */
  configure(url: string | null, secret?: string): void {
    this.url = url;
    if (secret !== undefined) this.signingSecret = secret;
  }

  get secret(): string {
    return this.signingSecret;
  }

  get webhookId(): string {
    return this.defaults.webhookId;
  }

  /** Fire and forget: Linear retries failures, this simulator records them and moves on. */
  send(payload: Json): WebhookDelivery | null {
    if (this.url === null) return null;
    const signed = linearSignedDelivery(this.signingSecret, payload);
    return this.queue.send({
      event: `${String(payload['type'])}:${String(payload['action'])}`,
      deliveryId: signed.headers['linear-delivery']!,
      url: this.url,
      headers: signed.headers,
      body: signed.body,
    });
  }

  deliveries(): WebhookDelivery[] {
    return this.queue.list();
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }
}
