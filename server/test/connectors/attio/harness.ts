import {
  attioSignedDelivery,
  startAttioSim,
  type AttioSim,
  type AttioSimOptions,
} from '@cairn/attio-sim';
import { sql } from 'kysely';
import type { Database, Scope } from '../../../src/db/database.js';
import {
  ATT_TABLES,
  normalize,
  type AttioEntityKind,
} from '../../../src/modules/connectors/attio/normalize.js';
import {
  syncAttio,
  SYNC_ORDER,
  type AttioSyncCounts,
  type AttioSyncOptions,
} from '../../../src/modules/connectors/attio/sync-attio.js';
import type { TestContext } from '../../support/app.js';
import { createProject, signIn, type Session } from '../../support/factories.js';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface AttioBound {
  sim: AttioSim;
  session: Session;
  scope: Scope;
  sync(extra?: Partial<AttioSyncOptions>): Promise<AttioSyncCounts>;
}

/**
 * An Attio simulator and a fresh project, synced with the app's configuration; retries back off
 * in milliseconds so fault tests stay fast.
 */
export async function bindAttioSim(
  ctx: TestContext,
  seed: string,
  simOptions: AttioSimOptions = {},
): Promise<AttioBound> {
  const sim = await startAttioSim({ size: 'tiny', seed, ...simOptions });
  const session = await signIn(ctx.app, ctx.database);
  const scope = await createProject(session);
  const config = {
    ...ctx.config,
    ATTIO_MAX_RETRIES: 3,
    ATTIO_TIMEOUT_MS: 2_000,
    ATTIO_RATE_LIMIT_WAIT_MAX_MS: 1_500,
  };
  return {
    sim,
    session,
    scope,
    sync: (extra = {}) =>
      syncAttio({
        database: ctx.database,
        scope,
        config,
        source: { baseUrl: sim.url, token: sim.token },
        client: { retryBaseMs: 5, retryMaxMs: 40 },
        ...extra,
      }),
  };
}

/** The simulator's live entities of a kind as they render, exactly what its API serves. */
export function truthItems(sim: AttioSim, kind: AttioEntityKind): Json[] {
  const truth = sim.control.groundTruth;
  switch (kind) {
    case 'members':
      return truth.workspaceMembers() as Json[];
    case 'notes':
      return [...truth.notes()] as Json[];
    case 'tasks':
      return [...truth.tasks()] as Json[];
    default:
      return [...truth.records(kind)] as Json[];
  }
}

/** `id|content_hash` of what the simulator holds, through the connector's own normalize. */
export function truthState(sim: AttioSim, kind: AttioEntityKind): string[] {
  const toRow = normalize[kind] as (item: unknown) => { id: string; content_hash: string };
  return truthItems(sim, kind)
    .map((item) => toRow(item))
    .map((r) => `${r.id}|${r.content_hash}`)
    .sort();
}

export async function storedState(
  database: Database,
  scope: Scope,
  kind: AttioEntityKind,
): Promise<string[]> {
  return database.withScope(scope, async (trx) => {
    const { rows } = await sql<{ id: string; h: string }>`
      select id, content_hash as h from ${sql.table(ATT_TABLES[kind])}
      where project_id = ${scope.projectId}::uuid`.execute(trx);
    return rows.map((r) => `${r.id}|${r.h}`).sort();
  });
}

/** Per kind, what the simulator has and the project lacks, and the reverse; {} when equal. */
export async function differences(
  database: Database,
  scope: Scope,
  sim: AttioSim,
  kinds: AttioEntityKind[] = SYNC_ORDER,
) {
  const diffs: Record<string, { missing: string[]; extra: string[] }> = {};
  for (const kind of kinds) {
    const truth = truthState(sim, kind);
    const stored = await storedState(database, scope, kind);
    const storedSet = new Set(stored);
    const truthSet = new Set(truth);
    const missing = truth.filter((t) => !storedSet.has(t));
    const extra = stored.filter((s) => !truthSet.has(s));
    if (missing.length || extra.length) diffs[kind] = { missing, extra };
  }
  return diffs;
}

/** message_global_id → joined chunk text, for Attio chunks of the project. */
export async function attioChunks(database: Database, scope: Scope): Promise<Map<string, string>> {
  return database.withScope(scope, async (trx) => {
    const { rows } = await sql<{ id: string; text: string }>`
      select message_global_id as id, string_agg(text, ' ' order by chunk_index) as text
      from rag_chunks where project_id = ${scope.projectId}::uuid and source_kind = 'attio'
      group by message_global_id`.execute(trx);
    return new Map(rows.map((r) => [r.id, r.text]));
  });
}

export const written = (counts: AttioSyncCounts) =>
  SYNC_ORDER.reduce(
    (sum, kind) =>
      sum + counts.kinds[kind].inserted + counts.kinds[kind].updated + counts.kinds[kind].deleted,
    0,
  );

export const recordId = (r: Json) => r['id']['record_id'] as string;
export const targets = (r: Json, slug: string) =>
  (r['values'][slug] as Json[]).map((v) => v['target_record_id'] as string);

/** What a binding scoped to `companyIds` should hold, computed from the simulator's truth. */
export function expectedIds(
  sim: AttioSim,
  companyIds: string[],
): Record<AttioEntityKind, string[]> {
  const chosen = new Set(companyIds);
  const companies = truthItems(sim, 'companies').filter((c) => chosen.has(recordId(c)));
  const people = truthItems(sim, 'people').filter((p) =>
    targets(p, 'company').some((id) => chosen.has(id)),
  );
  const deals = truthItems(sim, 'deals').filter((d) =>
    targets(d, 'associated_company').some((id) => chosen.has(id)),
  );
  const records = new Set([...companies, ...people, ...deals].map(recordId));
  return {
    members: truthItems(sim, 'members').map((m) => m['id']['workspace_member_id']),
    companies: companies.map(recordId),
    people: people.map(recordId),
    deals: deals.map(recordId),
    notes: truthItems(sim, 'notes')
      .filter((n) => records.has(n['parent_record_id']))
      .map((n) => n['id']['note_id']),
    tasks: truthItems(sim, 'tasks')
      .filter((t) =>
        (t['linked_records'] as Json[]).some((l) => records.has(l['target_record_id'])),
      )
      .map((t) => t['id']['task_id']),
  };
}

/** The ids the project stores, per kind. */
export async function storedIds(
  database: Database,
  scope: Scope,
): Promise<Record<AttioEntityKind, string[]>> {
  const out = {} as Record<AttioEntityKind, string[]>;
  for (const kind of SYNC_ORDER)
    out[kind] = (await storedState(database, scope, kind)).map((s) => s.split('|')[0]!);
  return out;
}

export const sorted = (ids: Record<AttioEntityKind, string[]>) =>
  Object.fromEntries(Object.entries(ids).map(([k, v]) => [k, [...v].sort()]));

/** Events signed with `secret` as the simulator signs them, posted to the source's receiver. */
export function postAttioEvents(
  ctx: TestContext,
  sourceId: string,
  secret: string,
  events: Json[],
) {
  const { headers, body } = attioSignedDelivery(secret, { webhook_id: 'wh-1', events });
  return ctx.app.inject({
    method: 'POST',
    url: `/webhooks/attio/${sourceId}`,
    headers,
    payload: body,
  });
}
