// Outgoing webhook deliveries shared by the Linear and Attio simulators: each one is POSTed once,
// fire and forget, recorded with the status the receiver answered, and `flush()` waits for those in
// flight so a test can assert on its receiver. Signing is each simulator's own (headers differ).

export interface WebhookDelivery {
  /** The event as the source names it (`Issue:update`, `record.updated`). */
  event: string;
  deliveryId: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  at: string;
  status: number | null;
  error: string | null;
}

/** Matches chatwoot-sim's delivery timeout; a receiver slower than this counts as failed. */
const DELIVERY_TIMEOUT_MS = 5_000;
const KEPT_DELIVERIES = 1_000;

export class DeliveryQueue {
  readonly deliveries: WebhookDelivery[] = [];
  private readonly pending = new Set<Promise<void>>();

  send(delivery: Omit<WebhookDelivery, 'status' | 'error' | 'at'>): WebhookDelivery {
    const record: WebhookDelivery = {
      ...delivery,
      at: new Date().toISOString(),
      status: null,
      error: null,
    };
    this.deliveries.push(record);
    if (this.deliveries.length > KEPT_DELIVERIES) this.deliveries.shift();
    const attempt = fetch(delivery.url, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
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
    return record;
  }

  list(): WebhookDelivery[] {
    return this.deliveries.map((d) => ({ ...d, headers: { ...d.headers } }));
  }

  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

export interface RequestLogEntry {
  at: string;
  method: string;
  url: string;
  /** The fault route the request counts as (`issues`, `records_query`…). */
  route: string | null;
  status: number;
  fault: string | null;
  /** Source-specific facts (GraphQL operation and complexity, Attio object and offset…). */
  details: Record<string, unknown>;
}

const KEPT_REQUESTS = 10_000;

export class RequestLog {
  private readonly entries: RequestLogEntry[] = [];

  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > KEPT_REQUESTS) this.entries.shift();
  }

  list(filter?: { route?: string }): RequestLogEntry[] {
    const all = this.entries.map((e) => ({ ...e, details: { ...e.details } }));
    return filter?.route ? all.filter((e) => e.route === filter.route) : all;
  }

  clear(): void {
    this.entries.length = 0;
  }

  get size(): number {
    return this.entries.length;
  }
}
