// @cairn/attio-sim: a seeded, fault-injecting simulator of the Attio REST v2 endpoints a studio's
// sync reads, with Attio's shapes (openapi.yaml), errors, rate limits and signed webhooks.
import { listen } from '@cairn/studio';
import { buildAttioApp } from './app.js';
import { createControl, type AttioSimControl } from './control.js';
import { SimCore, type CoreOptions } from './sim-core.js';

export type {
  AttioSimControl,
  AttioSimStats,
  AttioGroundTruth,
  AttioFaultSpec,
  AttioActiveFault,
} from './control.js';
export { FAULT_KINDS, FAULT_ROUTES } from './sim-core.js';
export type { AttioFaultKind, AttioFaultRoute } from './sim-core.js';
export type {
  AttioEvent,
  AttioEventType,
  CompanyInput,
  DealInput,
  NoteInput,
  PersonInput,
  RecordPatch,
  TaskInput,
} from './store.js';
export type { ObjectSlug } from './world.js';
export type { AttioSizeName, ExplicitAttioSize } from './sizes.js';
export type { AttioRateLimitOptions } from './rate-limit.js';
export { DEFAULT_ATTIO_RATE_LIMITS } from './rate-limit.js';
export {
  attioSignedDelivery,
  signAttioWebhook,
  EMITTED_EVENT_TYPES,
  type AttioSignedDelivery,
} from './webhooks.js';
export type { RequestLogEntry, WebhookDelivery, StudioTruth } from '@cairn/studio';

export interface AttioSimOptions extends CoreOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /**
   * Records' `web_url` points at this simulator (which serves a page for each record) instead of
   * app.attio.com: for the demo, where a link must open.
   */
  selfLinks?: boolean;
}

export interface AttioSim {
  /** Base URL without a trailing slash (paths are under /v2), e.g. http://127.0.0.1:43121 */
  url: string;
  /** Send it as `Authorization: Bearer <token>`. */
  token: string;
  /** The workspace id (the external id a Cairn source binds to) and slug. */
  workspaceId: string;
  workspaceSlug: string;
  /** The control webhook's signing secret, null when none is registered. */
  webhookSecret: string | null;
  control: AttioSimControl;
  stop(): Promise<void>;
}

export async function startAttioSim(options: AttioSimOptions = {}): Promise<AttioSim> {
  const core = new SimCore(options);
  const control = createControl(core);
  const app = buildAttioApp(core, control);
  const url = await listen(app, options);
  if (options.selfLinks) core.world.webOrigin = url;
  return {
    url,
    token: core.token,
    workspaceId: core.world.workspace.id,
    workspaceSlug: core.world.workspace.slug,
    get webhookSecret() {
      return core.controlWebhookId ? core.webhooks.get(core.controlWebhookId).secret : null;
    },
    control,
    async stop() {
      core.hangs.releaseAll();
      await core.webhooks.flush();
      await app.close();
    },
  };
}
