// @cairn/chatwoot-sim: a seeded, lazy, fault-injecting Chatwoot v4.15.1 Application API simulator.
import type { AccountEvent } from './account-state.js';
import { buildSimApp } from './app.js';
import { createControl, type SimControl, type WebhookRef } from './control.js';
import { SimCore, type CoreOptions } from './sim-core.js';
import type { ExplicitSize, SizeName } from './sizes.js';
import type { WebhookEventName } from './webhooks.js';

export type {
  SimControl,
  SimStats,
  AddMessageInput,
  AddConversationInput,
  ContactPatch,
  GroundTruth,
  WebhookRef,
} from './control.js';
export type { FaultSpec, FaultKind, FaultRoute, ActiveFault } from './faults.js';
export type { RequestLogEntry, SentMessage } from './sim-core.js';
export type { WebhookDelivery, WebhookEventName, SignedDelivery } from './webhooks.js';
export type { ExplicitSize, SizeName } from './sizes.js';
export type { ConversationStatus } from './world.js';
export type { AccountEvent };
export { signWebhook, signedDelivery } from './webhooks.js';
export { DEFAULT_HISTORY_END } from './sim-core.js';
export { CONVERSATIONS_PER_PAGE, CONTACTS_PER_PAGE } from './queries.js';
export { chatwootClients } from './studio-clients.js';
export { entityPage } from './entity-page.js';
// Seeded randomness, shared with the other simulators so every generator draws the same way.
export { Rng, rngFor, hashString, mix, unit } from './random.js';
export { pluralRu } from './corpus.js';
export type { Topic, Language } from './corpus.js';
export type {
  ChatwootClientCompany,
  ChatwootClientContact,
  ChatwootClientsOptions,
  ChatwootStudioAgent,
  ChatwootStudioClients,
} from './studio-clients.js';

export interface ChatwootSimOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  seed?: number | string;
  size?: SizeName | ExplicitSize;
  token?: string;
  accountId?: number;
  webhook?: { url: string; secret?: string };
  /** End of the generated history (Unix seconds); fixed by default so data is byte-identical. */
  historyEndsAt?: number;
}

export interface Sim {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:43121 */
  url: string;
  accountId: number;
  token: string;
  /** The webhook signing secret: the one given, or a 24-character one generated from the seed. */
  webhookSecret: string;
  control: SimControl;
  stop(): Promise<void>;
}

export async function startChatwootSim(options: ChatwootSimOptions = {}): Promise<Sim> {
  const coreOptions: CoreOptions = {
    seed: options.seed,
    size: options.size,
    token: options.token,
    accountId: options.accountId,
    webhook: options.webhook,
    historyEndsAt: options.historyEndsAt,
  };
  const core = new SimCore(coreOptions);
  const control = createControl(core);
  const app = buildSimApp(core, control);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    accountId: core.accounts[0]!.accountId,
    token: core.token,
    webhookSecret: core.webhooks.secret,
    control,
    async stop() {
      await core.webhooks.flush();
      await app.close();
    },
  };
}

/**
 * The body Chatwoot would POST for an event about existing simulator data, e.g.
 * `buildWebhookPayload(sim, 'message_created', { conversationId: 3, messageId: 1042 })`.
 * Sign it with signWebhook / signedDelivery to craft valid or tampered deliveries.
 */
export function buildWebhookPayload(
  sim: Pick<Sim, 'control'>,
  event: WebhookEventName,
  ref: WebhookRef,
): Record<string, unknown> {
  return sim.control.buildWebhookPayload(event, ref);
}
