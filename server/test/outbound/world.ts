import { randomUUID } from 'node:crypto';
import type { Sim } from '@cairn/chatwoot-sim';
import { sql } from 'kysely';
import { createAdapters } from '../../src/modules/outbound/adapters/index.js';
import { sendOutbound } from '../../src/modules/outbound/send-outbound.js';
import type { Database, Scope } from '../../src/db/database.js';
import { bindSim } from '../chatwoot/harness.js';
import type { TestContext } from '../support/app.js';
import type { Session } from '../support/factories.js';

export interface Target {
  /** conversation_global_id, the chatwoot recipient_ref */
  conversationGlobalId: string;
  /** Chatwoot display id */
  conversationId: number;
  contactGlobalId: string;
}

export interface World {
  sim: Sim;
  session: Session;
  scope: Scope;
  /** Conversations with distinct contacts, for tests that must not share a policy. */
  targets: Target[];
  sync(): Promise<unknown>;
}

/** A project bound to a small simulator and synced through the real ingestion path. */
export async function outboundWorld(
  ctx: TestContext,
  options: { conversations?: number } = {},
): Promise<World> {
  const bound = await bindSim(ctx, {
    size: { conversations: options.conversations ?? 8, messagesPerConversation: 2 },
    seed: 'cairn-outbound',
  });
  await bound.sync();
  const targets = await ctx.database.withScope(bound.scope, async (trx) => {
    const { rows } = await sql<{ id: string; conversation_id: number; contact_global_id: string }>`
      select distinct on (contact_global_id) id, conversation_id, contact_global_id from cw_conversations
      where project_id = ${bound.scope.projectId}::uuid and contact_global_id is not null
      order by contact_global_id, conversation_id`.execute(trx);
    return rows.map((r) => ({
      conversationGlobalId: r.id,
      conversationId: r.conversation_id,
      contactGlobalId: r.contact_global_id,
    }));
  });
  return {
    sim: bound.sim,
    session: bound.session,
    scope: bound.scope,
    targets,
    sync: () => bound.sync(),
  };
}

export const draftBody = (target: Target, overrides: Record<string, unknown> = {}) => ({
  channel: 'chatwoot',
  recipient_ref: target.conversationGlobalId,
  payload: { content: `Hello from Cairn ${randomUUID()}` },
  idempotency_key: randomUUID(),
  ...overrides,
});

/** Creates a draft over HTTP and returns its id. */
export async function createDraft(
  session: Session,
  target: Target,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const res = await session.request('POST', '/outbound/draft', draftBody(target, overrides));
  if (res.statusCode !== 201) throw new Error(`draft failed: ${res.statusCode} ${res.body}`);
  return res.json().message.id as string;
}

export async function createApproved(
  session: Session,
  target: Target,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const id = await createDraft(session, target, overrides);
  const res = await session.request('POST', `/outbound/${id}/approve`);
  if (res.statusCode !== 200) throw new Error(`approve failed: ${res.statusCode} ${res.body}`);
  return id;
}

/** Deliveries the simulator holds for one of our messages (matched by our handle). */
export const deliveriesOf = (sim: Sim, messageId: string) =>
  sim.control.listSentMessages().filter((m) => m.echoId === `cairn-${messageId}`);

export async function outboundRow(database: Database, scope: Scope, id: string) {
  return database.withScope(scope, (trx) =>
    trx.selectFrom('outbound_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
  );
}

export async function attemptsOf(database: Database, scope: Scope, id: string) {
  return database.withScope(scope, (trx) =>
    trx
      .selectFrom('outbound_attempts')
      .selectAll()
      .where('outbound_message_id', '=', id)
      .orderBy('attempt_no')
      .execute(),
  );
}

export async function setPolicy(session: Session, body: Record<string, unknown>) {
  const res = await session.request('POST', '/outbound/opt-out', body);
  if (res.statusCode !== 200) throw new Error(`policy failed: ${res.statusCode} ${res.body}`);
  return res.json().policy;
}

/**
 * Sends a message through the real sending path with a crash injected at one point of it
 * (`beforeProviderCall` or `afterProviderCall`); resolves with the error the send threw.
 */
export async function sendWithCrash(
  ctx: TestContext,
  scope: Scope,
  messageId: string,
  at: 'beforeProviderCall' | 'afterProviderCall',
  crash: Error,
): Promise<unknown> {
  return sendOutbound(
    {
      database: ctx.database,
      config: ctx.config,
      secrets: ctx.app.secrets,
      adapters: createAdapters(ctx.config),
      hooks: {
        [at]: () => {
          throw crash;
        },
      },
    },
    { scope, messageId, actor: { username: 'test', requestId: null }, mode: 'manual' },
  ).then(
    () => undefined,
    (error: unknown) => error,
  );
}
