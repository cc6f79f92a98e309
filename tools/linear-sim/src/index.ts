// @cairn/linear-sim: a seeded, fault-injecting simulator of the part of Linear's GraphQL API a
// studio's sync reads, with Linear's auth, errors, rate limits, complexity and signed webhooks.
import { listen } from '@cairn/studio';
import { buildLinearApp } from './app.js';
import { createControl, type LinearSimControl } from './control.js';
import { SimCore, type CoreOptions } from './sim-core.js';
import type { LinearWebhookAction, LinearWebhookType } from './webhooks.js';

export type {
  LinearSimControl,
  LinearSimStats,
  LinearGroundTruth,
  LinearFaultSpec,
  LinearActiveFault,
} from './control.js';
export type { LinearFaultKind, LinearFaultRoute } from './sim-core.js';
export { FAULT_KINDS, FAULT_ROUTES } from './sim-core.js';
export type { AddIssueInput, IssuePatch, AddCommentInput, CustomerInput } from './store.js';
export type { StateType } from './world.js';
export type { ExplicitLinearSize, LinearSizeName } from './sizes.js';
export type { RateLimitOptions, ResolvedRateLimits } from './rate-limit.js';
export { DEFAULT_RATE_LIMITS } from './rate-limit.js';
export type { RateLimitSnapshot } from './graphql/schema.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './graphql/pagination.js';
export { SCHEMA_SDL } from './graphql/schema.js';
export { queryComplexity } from './graphql/complexity.js';
export {
  linearSignedDelivery,
  signLinearWebhook,
  type LinearSignedDelivery,
  type LinearWebhookAction,
  type LinearWebhookType,
} from './webhooks.js';
export type { RequestLogEntry, WebhookDelivery, StudioTruth } from '@cairn/studio';

export interface LinearSimOptions extends CoreOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /**
   * Issue, comment, project and user `url`s point at this simulator (which serves a page for
   * issues and comments) instead of linear.app: for the demo, where a link must open.
   */
  selfLinks?: boolean;
}

export interface LinearSim {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:43121 */
  url: string;
  /** The GraphQL endpoint: `${url}/graphql` (give it to LinearClient as `apiUrl`). */
  graphqlUrl: string;
  /** Personal API key: send it as `Authorization: <key>`. */
  apiKey: string;
  /** OAuth access token: send it as `Authorization: Bearer <token>`. */
  accessToken: string;
  /** The organisation's id (the external id a Cairn source binds to) and urlKey. */
  organizationId: string;
  urlKey: string;
  /** The webhook signing secret in use. */
  webhookSecret: string;
  control: LinearSimControl;
  stop(): Promise<void>;
}

export async function startLinearSim(options: LinearSimOptions = {}): Promise<LinearSim> {
  const core = new SimCore(options);
  const control = createControl(core);
  const app = buildLinearApp(core, control);
  const url = await listen(app, options);
  if (options.selfLinks) core.world.webOrigin = url;
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    apiKey: core.apiKey,
    accessToken: core.accessToken,
    organizationId: core.world.organization.id,
    urlKey: core.world.organization.urlKey,
    get webhookSecret() {
      return core.webhooks.secret;
    },
    control,
    async stop() {
      core.hangs.releaseAll();
      await core.webhooks.flush();
      await app.close();
    },
  };
}

/**
 * The webhook body Linear would POST for an existing issue or comment, e.g.
 * `buildWebhookPayload(sim, 'Issue', 'update', issueId)`. Sign it with linearSignedDelivery to
 * craft valid or tampered deliveries.
 */
export function buildWebhookPayload(
  sim: Pick<LinearSim, 'control'>,
  type: LinearWebhookType,
  action: LinearWebhookAction,
  id: string,
): Record<string, unknown> {
  return sim.control.buildWebhookPayload(type, action, id);
}
