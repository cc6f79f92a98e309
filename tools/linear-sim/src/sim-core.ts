// Everything one simulator instance holds: the workspace, credentials, rate limits, faults, the
// request log and webhooks. The HTTP server and the in-process control object drive this object.
import {
  buildStudio,
  FaultBook,
  Hangs,
  RequestLog,
  rngFor,
  type Studio,
  type StudioOptions,
} from '@cairn/studio';
import { buildLinearSchema } from './graphql/schema.js';
import { RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { commentData, commentUrl, issueData, issueUrl, userUrl } from './render.js';
import { resolveLinearSize, type ExplicitLinearSize, type LinearSizeName } from './sizes.js';
import { LinearStore, type StoreEvent } from './store.js';
import { updatedFrom, webhookEnvelope, LinearWebhooks } from './webhooks.js';
import { buildLinearWorld, type LinearWorld } from './world.js';

export const FAULT_ROUTES = [
  'organization',
  'viewer',
  'users',
  'user',
  'teams',
  'team',
  'workflowStates',
  'issueLabels',
  'projects',
  'project',
  'issues',
  'issue',
  'comments',
  'comment',
  'customers',
  'customer',
  'customerNeeds',
  'customerNeed',
  'rateLimitStatus',
] as const;
export type LinearFaultRoute = (typeof FAULT_ROUTES)[number];

export const FAULT_KINDS = [
  'ratelimited_400',
  'ratelimited_429',
  '500',
  '502',
  '503',
  'delay',
  'hang',
  'truncated',
  'malformed',
  'encoded',
] as const;
export type LinearFaultKind = (typeof FAULT_KINDS)[number];

export interface CoreOptions {
  /** Share it with the other simulators of the same studio. */
  seed?: number | string;
  size?: LinearSizeName | ExplicitLinearSize;
  /** The personal API key (`Authorization: <key>`); seeded when omitted. */
  apiKey?: string;
  /** An OAuth access token (`Authorization: Bearer <token>`); seeded when omitted. */
  accessToken?: string;
  webhook?: { url: string; secret?: string };
  rateLimits?: RateLimitOptions;
  /** End of the generated history (Unix seconds); fixed by default so data is identical. */
  historyEndsAt?: number;
  /** Clock for changes and rate limits, Unix milliseconds; the wall clock by default. */
  now?: () => number;
}

export class SimCore {
  readonly studio: Studio;
  readonly world: LinearWorld;
  readonly store: LinearStore;
  readonly schema = buildLinearSchema();
  readonly apiKey: string;
  readonly accessToken: string;
  readonly rateLimiter: RateLimiter;
  readonly faults = new FaultBook<LinearFaultRoute, LinearFaultKind>(FAULT_ROUTES, FAULT_KINDS);
  readonly hangs = new Hangs();
  readonly requestLog = new RequestLog();
  readonly webhooks: LinearWebhooks;
  readonly clock: () => number;
  events = 0;

  constructor(options: CoreOptions = {}) {
    const size = resolveLinearSize(options.size);
    const studioOptions: StudioOptions = {
      seed: options.seed,
      size: size.studio,
      historyEndsAt: options.historyEndsAt,
    };
    this.studio = buildStudio(studioOptions);
    this.world = buildLinearWorld(this.studio, size);
    this.clock = options.now ?? (() => Date.now());
    this.store = new LinearStore(this.world, this.clock, {
      issue: (issue) => issueData(this.world, issue),
      comment: (comment) => commentData(this.world, comment),
    });
    const secrets = rngFor(this.world.seedHash, 8_900);
    this.apiKey = options.apiKey ?? `lin_api_${secrets.base58(40)}`;
    this.accessToken = options.accessToken ?? `lin_oauth_${secrets.hex(64)}`;
    this.rateLimiter = new RateLimiter(options.rateLimits ?? {}, this.clock);
    this.webhooks = new LinearWebhooks(options.webhook ?? null, {
      secret: `lin_wh_${secrets.base58(40)}`,
      webhookId: secrets.uuid(),
    });
    this.store.onEvent((event) => this.onEvent(event));
  }

  /** The webhook body for a store event, as Linear would send it now. */
  payloadFor(event: StoreEvent, at = this.clock()): Record<string, unknown> {
    const viewer = this.world.users[this.world.viewerIndex]!;
    const data =
      event.action === 'remove'
        ? event.before!
        : event.issue
          ? issueData(this.world, event.issue)
          : commentData(this.world, event.comment!);
    const url = event.issue
      ? issueUrl(this.world, event.issue)
      : commentUrl(this.world, event.comment!);
    const changed =
      event.action === 'update' && event.before ? updatedFrom(event.before, data) : {};
    return webhookEnvelope({
      action: event.action,
      type: event.type,
      data,
      url,
      ...(Object.keys(changed).length > 0 && { updatedFrom: changed }),
      actor: {
        id: viewer.id,
        type: 'user',
        name: viewer.name,
        email: viewer.email,
        url: userUrl(this.world, viewer),
      },
      organizationId: this.world.organization.id,
      webhookId: this.webhooks.webhookId,
      at,
    });
  }

  private onEvent(event: StoreEvent): void {
    this.events++;
    this.webhooks.send(this.payloadFor(event));
  }

  /** Which credential a request carries: the API key alone, or an OAuth token after `Bearer`. */
  credentialOf(header: string | undefined): 'api_key' | 'oauth' | null {
    if (!header) return null;
    if (header === this.apiKey) return 'api_key';
    if (header === `Bearer ${this.accessToken}`) return 'oauth';
    return null;
  }
}
