import { startChatwootSim, type ChatwootSimOptions, type Sim } from '@cairn/chatwoot-sim';
import type { Config } from '../../src/config.js';
import { sql } from 'kysely';
import type { Database, Scope } from '../../src/db/database.js';
import {
  syncChatwoot,
  type SyncOptions,
} from '../../src/modules/connectors/chatwoot/sync-chatwoot.js';
import type { TestContext } from '../support/app.js';
import { createProject, signIn, type Session } from '../support/factories.js';

export interface Bound {
  sim: Sim;
  session: Session;
  scope: Scope;
  sourceId: string;
  sync(options?: Partial<SyncOptions>): ReturnType<typeof syncChatwoot>;
}

/**
 * A simulator bound to a fresh project through the real API (POST /sources), and a sync of it
 * with the app's configuration. Retries back off in milliseconds so fault tests stay fast.
 */
export const WEBHOOK_SECRET = 'whsec-cairn-test-7Hq2Lm9Xv4Tr';

export async function bindSim(
  ctx: TestContext,
  options: {
    size?: ChatwootSimOptions['size'];
    seed?: string;
    config?: Partial<Config>;
    webhookUrlToken?: boolean;
  } = {},
): Promise<Bound & { webhookUrlToken?: string }> {
  const sim = await startChatwootSim({
    size: options.size ?? 'small',
    seed: options.seed ?? 'cairn-ingest',
  });
  const session = await signIn(ctx.app, ctx.database);
  const scope = await createProject(session);
  const created = await session.request('POST', '/sources', {
    source_kind: 'chatwoot_account',
    base_url: sim.url,
    account_id: sim.accountId,
    api_token: sim.token,
    webhook_secret: WEBHOOK_SECRET,
    ...(options.webhookUrlToken ? { webhook_url_token: true } : {}),
  });
  if (created.statusCode !== 201) throw new Error(`bind failed: ${created.body}`);
  const sourceId = created.json().source.id as string;
  const config = {
    ...ctx.config,
    CHATWOOT_MAX_RETRIES: 3,
    CHATWOOT_TIMEOUT_MS: 2_000,
    ...options.config,
  };
  return {
    webhookUrlToken: created.json().webhook_url_token as string | undefined,
    sim,
    session,
    scope,
    sourceId,
    sync: (extra = {}) =>
      syncChatwoot({
        database: ctx.database,
        config,
        scope,
        source: { baseUrl: sim.url, accountId: sim.accountId, apiToken: sim.token },
        client: { retryBaseMs: 5, retryMaxMs: 40 },
        // As the job does: stop-on-reply in each write transaction (jobs/handlers.ts).
        onInboundReplies: ctx.app.ingestSubscribers.onInboundReplies,
        ...extra,
      }),
  };
}

export interface StoredMessage {
  message_id: number;
  content: string | null;
  deleted: boolean;
}

export async function storedMessages(database: Database, scope: Scope): Promise<StoredMessage[]> {
  return database.withScope(scope, async (trx) => {
    const { rows } = await sql<StoredMessage>`
      select message_id, content, coalesce((data #>> '{content_attributes,deleted}')::boolean, false) as deleted
      from cw_messages where project_id = ${scope.projectId}::uuid order by message_id`.execute(
      trx,
    );
    return rows;
  });
}

export async function storedChunks(database: Database, scope: Scope) {
  return database.withScope(scope, async (trx) => {
    const { rows } = await sql<{
      message_id: number;
      chunk_index: number;
      text: string;
      embedding_status: string;
      text_hash: string;
    }>`
      select m.message_id, k.chunk_index, k.text, k.embedding_status, k.text_hash
      from rag_chunks k join cw_messages m on m.project_id = k.project_id and m.id = k.message_global_id
      where k.project_id = ${scope.projectId}::uuid order by m.message_id, k.chunk_index`.execute(
      trx,
    );
    return rows;
  });
}

export async function count(
  database: Database,
  scope: Scope,
  table: 'cw_contacts' | 'cw_conversations' | 'cw_messages' | 'rag_chunks',
) {
  return database.withScope(scope, async (trx) => {
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::integer as n from ${sql.table(table)} where project_id = ${scope.projectId}::uuid`.execute(
      trx,
    );
    return rows[0]!.n;
  });
}

/** The simulator's own view: every message id, with its REST content. */
export function simMessages(sim: Sim) {
  return [...sim.control.groundTruth.messages()].map((m) => ({
    id: m.id as number,
    content: (m.content as string | null) ?? null,
    message_type: m.message_type as number,
    private: m.private as boolean,
    deleted: (m.content_attributes as { deleted?: boolean } | undefined)?.deleted === true,
  }));
}

/** Stored messages equal the simulator's exactly: same ids, each once, same content. */
export async function expectConverged(database: Database, scope: Scope, sim: Sim) {
  const stored = await storedMessages(database, scope);
  const truth = simMessages(sim);
  return {
    storedIds: stored.map((m) => m.message_id),
    truthIds: truth.map((m) => m.id).sort((a, b) => a - b),
    contentMismatches: truth
      .filter((t) => stored.find((s) => s.message_id === t.id)?.content !== t.content)
      .map((t) => t.id),
  };
}
