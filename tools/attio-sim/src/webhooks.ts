// Attio webhooks: registered through /v2/webhooks (the response holds the signing secret once) or
// the control API, each with subscriptions `{event_type, filter}`. A delivery is POSTed as
// `{webhook_id, events: [event]}`, ids only; `Attio-Signature` (duplicated as
// `X-Attio-Signature`) is the hex HMAC-SHA256 of the raw body with the webhook's secret, and
// `Idempotency-Key` names the message (the same across Attio's retries).
import { createHmac, randomUUID } from 'node:crypto';
import { DeliveryQueue, type WebhookDelivery } from '@cairn/studio';
import { validationError, notFound } from './errors.js';
import type { AttioEvent } from './store.js';

type Json = Record<string, unknown>;

/** Event types the document's webhook schema allows (openapi.yaml, POST /v2/webhooks). */
export const EVENT_TYPES = [
  'call-recording.created',
  'comment.created',
  'comment.resolved',
  'comment.unresolved',
  'comment.deleted',
  'list.created',
  'list.updated',
  'list.deleted',
  'list-attribute.created',
  'list-attribute.updated',
  'list-entry.created',
  'list-entry.updated',
  'list-entry.deleted',
  'object-attribute.created',
  'object-attribute.updated',
  'note.created',
  'note-content.updated',
  'note.updated',
  'note.deleted',
  'record.created',
  'record.merged',
  'record.updated',
  'record.deleted',
  'task.created',
  'task.updated',
  'task.deleted',
  'workspace-member.created',
] as const;

/** What the simulator emits: records, notes and tasks. */
export const EMITTED_EVENT_TYPES = [
  'record.created',
  'record.updated',
  'record.deleted',
  'note.created',
  'note.updated',
  'note-content.updated',
  'note.deleted',
  'task.created',
  'task.updated',
  'task.deleted',
] as const;

/** The `Attio-Signature` value: hex HMAC-SHA256 of the raw body. */
export function signAttioWebhook(secret: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

export interface AttioSignedDelivery {
  body: string;
  headers: Record<string, string>;
}

export function attioSignedDelivery(
  secret: string,
  payload: Json,
  options: { idempotencyKey?: string } = {},
): AttioSignedDelivery {
  const body = JSON.stringify(payload);
  const signature = signAttioWebhook(secret, body);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Attio 2.0 (https://attio.com/developers/using-webhooks)',
      'attio-signature': signature,
      'x-attio-signature': signature,
      'idempotency-key': options.idempotencyKey ?? randomUUID(),
    },
  };
}

export interface Subscription {
  event_type: string;
  filter: Json | null;
}

export interface WebhookRecord {
  id: string;
  targetUrl: string;
  subscriptions: Subscription[];
  createdAt: string;
  secret: string;
}

function pathValue(event: Json, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Json | undefined)?.[key], event);
}

/** `{$and|$or: [{field, operator: equals|not_equals, value}]}` over the event's fields. */
function filterPasses(filter: Json | null, event: Json): boolean {
  if (!filter) return true;
  const test = (c: Json) => {
    const actual = pathValue(event, String(c['field']));
    return c['operator'] === 'equals' ? actual === c['value'] : actual !== c['value'];
  };
  if (Array.isArray(filter['$and'])) return (filter['$and'] as Json[]).every(test);
  if (Array.isArray(filter['$or'])) return (filter['$or'] as Json[]).some(test);
  return true;
}

function checkSubscriptions(value: unknown): Subscription[] {
  if (!Array.isArray(value) || value.length === 0)
    throw validationError('data.subscriptions must be a non-empty array.');
  return value.map((s: unknown, i) => {
    const sub = s as Json;
    if (!(EVENT_TYPES as readonly string[]).includes(String(sub?.['event_type'])))
      throw validationError(`data.subscriptions[${i}].event_type is not a webhook event type.`);
    const filter = sub['filter'] ?? null;
    if (filter !== null) {
      const list = (filter as Json)['$and'] ?? (filter as Json)['$or'];
      const ok =
        Array.isArray(list) &&
        list.every(
          (c: Json) =>
            typeof c?.['field'] === 'string' &&
            (c['operator'] === 'equals' || c['operator'] === 'not_equals') &&
            typeof c['value'] === 'string',
        );
      if (!ok) throw validationError(`data.subscriptions[${i}].filter is not a valid filter.`);
    }
    return { event_type: String(sub['event_type']), filter: filter as Json | null };
  });
}

function checkUrl(value: unknown): string {
  if (typeof value !== 'string') throw validationError('data.target_url must be a URL.');
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
  } catch {
    throw validationError('data.target_url must be a URL.');
  }
  return value;
}

export class AttioWebhooks {
  private readonly hooks = new Map<string, WebhookRecord>();
  private readonly queue = new DeliveryQueue();

  constructor(
    private readonly workspaceId: string,
    private readonly newId: () => string,
    private readonly newSecret: () => string,
    private readonly clock: () => number,
  ) {}

  render(hook: WebhookRecord, withSecret = false): Json {
    return {
      target_url: hook.targetUrl,
      subscriptions: hook.subscriptions.map((s) => ({ ...s })),
      id: { workspace_id: this.workspaceId, webhook_id: hook.id },
      status: 'active',
      created_at: new Date(hook.createdAt).toISOString().replace('Z', '000000Z'),
      ...(withSecret && { secret: hook.secret }),
    };
  }

  list(): WebhookRecord[] {
    return [...this.hooks.values()];
  }

  get(id: string): WebhookRecord {
    const hook = this.hooks.get(id);
    if (!hook) throw notFound(`Webhook with ID "${id}" not found.`);
    return hook;
  }

  create(data: Json, secret?: string): WebhookRecord {
    const hook: WebhookRecord = {
      id: this.newId(),
      targetUrl: checkUrl(data['target_url']),
      subscriptions: checkSubscriptions(data['subscriptions']),
      createdAt: new Date(this.clock()).toISOString(),
      secret: secret ?? this.newSecret(),
    };
    this.hooks.set(hook.id, hook);
    return hook;
  }

  update(id: string, data: Json): WebhookRecord {
    const hook = this.get(id);
    if (data['target_url'] !== undefined) hook.targetUrl = checkUrl(data['target_url']);
    if (data['subscriptions'] !== undefined)
      hook.subscriptions = checkSubscriptions(data['subscriptions']);
    return hook;
  }

  delete(id: string): void {
    this.get(id);
    this.hooks.delete(id);
  }

  /** One delivery per event and matching webhook, as Attio sends them today. */
  deliver(events: AttioEvent[]): void {
    for (const hook of this.hooks.values()) {
      for (const event of events) {
        const wanted = hook.subscriptions.some(
          (s) => s.event_type === event.event_type && filterPasses(s.filter, event),
        );
        if (!wanted) continue;
        const signed = attioSignedDelivery(hook.secret, { webhook_id: hook.id, events: [event] });
        this.queue.send({
          event: event.event_type,
          deliveryId: signed.headers['idempotency-key']!,
          url: hook.targetUrl,
          headers: signed.headers,
          body: signed.body,
        });
      }
    }
  }

  deliveries(): WebhookDelivery[] {
    return this.queue.list();
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }
}
