// Everything one simulator instance holds: accounts, token, faults, request log, webhooks.
// The HTTP server and the in-process control object both drive this one object.
import { AccountState, type AccountEvent } from './account-state.js';
import type { SenderRef } from './conversation-messages.js';
import { FaultBook } from './faults.js';
import { hashString, rngFor } from './random.js';
import { resolveSize, type ExplicitSize, type SizeName } from './sizes.js';
import { renderWebhookPayload, WebhookDispatcher } from './webhooks.js';
import { buildWorld } from './world.js';

export interface CoreOptions {
  seed?: number | string;
  size?: SizeName | ExplicitSize;
  token?: string;
  accountId?: number;
  webhook?: { url: string; secret?: string };
  /** End of the generated history, Unix seconds. Fixed by default so data is byte-identical. */
  historyEndsAt?: number;
}

export interface RequestLogEntry {
  at: string;
  method: string;
  url: string;
  route: string | null;
  accountId: number | null;
  conversationId: number | null;
  page: number | null;
  status: number;
  fault: string | null;
}

export interface SentMessage {
  accountId: number;
  conversationId: number;
  messageId: number;
  content: string | null;
  messageType: number;
  private: boolean;
  echoId: string | null;
  sourceId: string | null;
  at: string;
}

/** 2026-06-22T08:00:00Z, the day of the reference examples. */
export const DEFAULT_HISTORY_END = 1_782_115_200;
const KEPT_REQUESTS = 10_000;

export class SimCore {
  readonly accounts: AccountState[];
  /** An account that exists but the token's user does not belong to (401, not 404). */
  readonly foreignAccountId: number;
  readonly token: string;
  readonly faults = new FaultBook();
  readonly webhooks: WebhookDispatcher;
  readonly requestLog: RequestLogEntry[] = [];
  readonly sent: SentMessage[] = [];
  readonly events: { event: string; accountId: number; at: string }[] = [];
  readonly seedHash: number;

  constructor(options: CoreOptions) {
    const seed = String(options.seed ?? 1);
    this.seedHash = hashString(seed);
    const size = resolveSize(options.size);
    const firstAccountId = options.accountId ?? 1;
    const historyEnd = options.historyEndsAt ?? DEFAULT_HISTORY_END;
    const clock = () => Date.now() / 1000;
    this.accounts = [];
    for (let index = 0; index < size.accounts; index++) {
      const world = buildWorld(this.seedHash, index, firstAccountId + index, size, historyEnd);
      const account: AccountState = new AccountState(world, clock, (event) =>
        this.onEvent(account, event),
      );
      this.accounts.push(account);
    }
    this.foreignAccountId = firstAccountId + size.accounts;
    this.token = options.token ?? rngFor(this.seedHash, 90).base58(24);
    // Chatwoot generates a 24-character base58 secret per webhook; ours comes from the seed.
    const defaultSecret = rngFor(this.seedHash, 91).base58(24);
    const secret = options.webhook?.secret ?? defaultSecret;
    this.webhooks = new WebhookDispatcher(
      options.webhook ? { url: options.webhook.url, secret } : null,
      defaultSecret,
    );
  }

  account(accountId?: number): AccountState | undefined {
    if (accountId === undefined) return this.accounts[0];
    return this.accounts.find((a) => a.accountId === accountId);
  }

  requireAccount(accountId?: number): AccountState {
    const account = this.account(accountId);
    if (!account) throw new NotFoundError(`account ${accountId} not found`);
    return account;
  }

  private onEvent(account: AccountState, event: AccountEvent): void {
    this.events.push({
      event: event.event,
      accountId: account.accountId,
      at: new Date().toISOString(),
    });
    if (this.events.length > KEPT_REQUESTS) this.events.shift();
    this.webhooks.send(renderWebhookPayload(account, event));
  }

  logRequest(entry: RequestLogEntry): void {
    this.requestLog.push(entry);
    if (this.requestLog.length > KEPT_REQUESTS) this.requestLog.shift();
  }
}

export class NotFoundError extends Error {}
export class InputError extends Error {}

export function parseSender(value: unknown): SenderRef | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value === 'object') {
    const sender = value as { type?: unknown; kind?: unknown; id?: unknown };
    const kind = sender.type ?? sender.kind;
    if ((kind === 'contact' || kind === 'user') && typeof sender.id === 'number')
      return { kind, id: sender.id };
  }
  throw new InputError('sender must be {type: "contact"|"user", id: number} or null');
}
