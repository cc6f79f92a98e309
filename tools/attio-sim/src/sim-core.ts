// Everything one simulator instance holds: the workspace, the token, rate limits, faults, the
// request log and webhooks. The HTTP server and the in-process control object drive this object.
import { buildStudio, FaultBook, Hangs, RequestLog, rngFor, type Studio } from '@cairn/studio';
import { SecondWindow, type AttioRateLimitOptions } from './rate-limit.js';
import { resolveAttioSize, type AttioSizeName, type ExplicitAttioSize } from './sizes.js';
import { AttioLists } from './lists.js';
import { AttioStore } from './store.js';
import { AttioWebhooks, EMITTED_EVENT_TYPES } from './webhooks.js';
import { buildAttioWorld, type AttioWorld } from './world.js';

export const FAULT_ROUTES = [
  'self',
  'objects',
  'records_query',
  'record',
  'record_values',
  'notes',
  'note',
  'tasks',
  'task',
  'workspace_members',
  'workspace_member',
  'webhooks',
  'list',
  'list_entries',
] as const;
export type AttioFaultRoute = (typeof FAULT_ROUTES)[number];

export const FAULT_KINDS = [
  '429',
  '500',
  '502',
  '503',
  'delay',
  'hang',
  'truncated',
  'malformed',
  'empty_page',
] as const;
export type AttioFaultKind = (typeof FAULT_KINDS)[number];

export interface CoreOptions {
  /** Share it with the other simulators of the same studio. */
  seed?: number | string;
  size?: AttioSizeName | ExplicitAttioSize;
  /** The API token (`Authorization: Bearer <token>`); seeded when omitted. */
  token?: string;
  /** Registers a webhook for every record, note and task event at start. */
  webhook?: { url: string; secret?: string };
  rateLimits?: AttioRateLimitOptions;
  /** End of the generated history (Unix seconds); fixed by default so data is identical. */
  historyEndsAt?: number;
  /** Clock for changes and rate limits, Unix milliseconds; the wall clock by default. */
  now?: () => number;
}

export class SimCore {
  readonly studio: Studio;
  readonly world: AttioWorld;
  readonly store: AttioStore;
  readonly lists: AttioLists;
  readonly token: string;
  /** A revoked token still identifies itself at /v2/self (`{active: false}`) and nothing else. */
  revoked = false;
  readonly rateWindow: SecondWindow;
  readonly faults = new FaultBook<AttioFaultRoute, AttioFaultKind>(FAULT_ROUTES, FAULT_KINDS);
  readonly hangs = new Hangs();
  readonly requestLog = new RequestLog();
  readonly webhooks: AttioWebhooks;
  readonly clock: () => number;
  readonly clientId: string;
  /** The webhook the control API (and the `webhook` option) manages. */
  controlWebhookId: string | null = null;

  constructor(options: CoreOptions = {}) {
    const size = resolveAttioSize(options.size);
    this.studio = buildStudio({
      seed: options.seed,
      size: size.studio,
      historyEndsAt: options.historyEndsAt,
    });
    this.world = buildAttioWorld(this.studio, size);
    this.clock = options.now ?? (() => Date.now());
    this.store = new AttioStore(this.world, this.clock);
    this.lists = new AttioLists(this.world, this.store, this.clock);
    const secrets = rngFor(this.world.seedHash, 9_900);
    this.token = options.token ?? secrets.hex(64);
    this.clientId = secrets.uuid();
    this.rateWindow = new SecondWindow(options.rateLimits ?? {}, this.clock);
    let hooks = 0;
    this.webhooks = new AttioWebhooks(
      this.world.workspace.id,
      () => rngFor(this.world.seedHash, 9_901, ++hooks).uuid(),
      () => rngFor(this.world.seedHash, 9_902, hooks).hex(64),
      this.clock,
    );
    this.store.onEvents((events) => this.webhooks.deliver(events));
    if (options.webhook) this.configureWebhook(options.webhook.url, options.webhook.secret);
  }

  /** Points the control webhook at a URL (null removes it); returns its secret. */
  configureWebhook(url: string | null, secret?: string): string | null {
    if (this.controlWebhookId) {
      const current = this.webhooks.get(this.controlWebhookId);
      if (url === null) {
        this.webhooks.delete(current.id);
        this.controlWebhookId = null;
        return null;
      }
      this.webhooks.update(current.id, { target_url: url });
      if (secret !== undefined) current.secret = secret;
      return current.secret;
    }
    if (url === null) return null;
    const hook = this.webhooks.create(
      {
        target_url: url,
        subscriptions: EMITTED_EVENT_TYPES.map((event_type) => ({ event_type, filter: null })),
      },
      secret,
    );
    this.controlWebhookId = hook.id;
    return hook.secret;
  }
}
