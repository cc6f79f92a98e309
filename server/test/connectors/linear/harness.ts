import { startLinearSim, type LinearSim } from '@cairn/linear-sim';
import { sql } from 'kysely';
import type { Database, Scope } from '../../../src/db/database.js';
import type { LinearEntityKind } from '../../../src/modules/connectors/linear/documents.js';
import { LIN_TABLES } from '../../../src/modules/connectors/linear/normalize.js';
import {
  syncLinear,
  SYNC_ORDER,
  type LinearSyncOptions,
} from '../../../src/modules/connectors/linear/sync-linear.js';
import type { TestContext } from '../../support/app.js';
import { createProject, signIn, type Session } from '../../support/factories.js';

export interface LinearBound {
  sim: LinearSim;
  session: Session;
  scope: Scope;
  sync(extra?: Partial<LinearSyncOptions>): ReturnType<typeof syncLinear>;
}

/**
 * A Linear simulator and a fresh project, synced with the app's configuration; retries back off
 * in milliseconds so fault tests stay fast, and the id listing runs on every incremental sync.
 */
export async function bindLinearSim(ctx: TestContext, seed: string): Promise<LinearBound> {
  const sim = await startLinearSim({ size: 'tiny', seed });
  const session = await signIn(ctx.app, ctx.database);
  const scope = await createProject(session);
  const config = {
    ...ctx.config,
    LINEAR_MAX_RETRIES: 3,
    LINEAR_TIMEOUT_MS: 2_000,
    LINEAR_RATE_LIMIT_WAIT_MAX_MS: 50,
    LINEAR_ID_LISTING_HOURS: 0,
  };
  return {
    sim,
    session,
    scope,
    sync: (extra = {}) =>
      syncLinear({
        database: ctx.database,
        scope,
        config,
        source: { url: sim.graphqlUrl, apiKey: sim.apiKey },
        client: { retryBaseMs: 5, retryMaxMs: 40 },
        ...extra,
      }),
  };
}

interface Entity {
  id: string;
  updatedAt: string;
  archivedAt: string | null;
}

/** The simulator's live entities (archived included) as `id|updatedAt|archivedAt`, sorted. */
export function truthState(sim: LinearSim, kind: LinearEntityKind): string[] {
  const truth = sim.control.groundTruth;
  const all = (kind === 'customers' ? truth.customers() : truth[kind]()) as Iterable<Entity>;
  return [...all].map((e) => `${e.id}|${iso(e.updatedAt)}|${iso(e.archivedAt ?? null)}`).sort();
}

/** The same view of what is stored. */
export async function storedState(
  database: Database,
  scope: Scope,
  kind: LinearEntityKind,
): Promise<string[]> {
  return database.withScope(scope, async (trx) => {
    const { rows } = await sql<{ id: string; u: Date; a: Date | null }>`
      select id, source_updated_at as u, archived_at as a from ${sql.table(LIN_TABLES[kind])}
      where project_id = ${scope.projectId}::uuid`.execute(trx);
    return rows.map((r) => `${r.id}|${iso(r.u)}|${iso(r.a)}`).sort();
  });
}

export async function expectConverged(database: Database, scope: Scope, sim: LinearSim) {
  const diffs: Record<string, { missing: string[]; extra: string[] }> = {};
  for (const kind of SYNC_ORDER) {
    const truth = truthState(sim, kind);
    const stored = await storedState(database, scope, kind);
    const storedSet = new Set(stored);
    const truthSet = new Set(truth);
    const missing = truth.filter((t) => !storedSet.has(t));
    const extra = stored.filter((s) => !truthSet.has(s));
    if (missing.length || extra.length || truth.length !== stored.length)
      diffs[kind] = { missing, extra };
  }
  return diffs;
}

function iso(value: string | Date | null): string {
  if (value === null) return '';
  return new Date(value).toISOString();
}

/** message_global_id → joined chunk text, for Linear chunks of the project. */
export async function linearChunks(database: Database, scope: Scope): Promise<Map<string, string>> {
  return database.withScope(scope, async (trx) => {
    const { rows } = await sql<{ id: string; text: string }>`
      select message_global_id as id, string_agg(text, ' ' order by chunk_index) as text
      from rag_chunks where project_id = ${scope.projectId}::uuid and source_kind = 'linear'
      group by message_global_id`.execute(trx);
    return new Map(rows.map((r) => [r.id, r.text]));
  });
}

export const LINEAR_WEBHOOK_SECRET = 'lin-wh-secret-cairn-test-8Hq2Lm9Xv4';

/**
 * A simulator bound to a fresh project through the real API (POST /sources, with a webhook
 * secret), plus a direct sync of it as in bindLinearSim.
 */
export async function bindLinearSource(
  ctx: TestContext,
  seed: string,
): Promise<LinearBound & { sourceId: string }> {
  const bound = await bindLinearSim(ctx, seed);
  const created = await bound.session.request('POST', '/sources', {
    source_kind: 'linear_workspace',
    base_url: bound.sim.graphqlUrl,
    api_key: bound.sim.apiKey,
    webhook_secret: LINEAR_WEBHOOK_SECRET,
  });
  if (created.statusCode !== 201) throw new Error(`bind failed: ${created.body}`);
  return { ...bound, sourceId: created.json().source.id as string };
}
