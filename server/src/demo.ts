import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import type { Database, Scope } from './db/database.js';
import type { Secrets } from './lib/secrets.js';
import type { JobsRuntime } from './modules/jobs/index.js';
import { createProject } from './modules/projects/service.js';
import { bindChatwootSource, normalizeBaseUrl } from './modules/sources/service.js';

export const DEMO_PROJECT_NAME = 'Demo studio';
const DEMO_SCOPE_KEY = 'demo';
// Fixed, so every start generates the same studio and re-syncs change nothing.
export const DEMO_SEED = 'cairn-demo-studio';
// About 5,000 messages: enough to search, synced and embedded within a minute on a laptop.
export const DEMO_SIZE = 'small';
const RUN_POLL_MS = 1_000;

export interface Demo {
  chatwootUrl: string;
  stop(): Promise<void>;
}

/**
 * The first-run demo: a simulated Chatwoot in this process, a "Demo studio" project bound to it,
 * and a first sync followed by embeddings, so a search returns evidence minutes after `npm start`.
 * The simulator is imported lazily: production images never load it.
 */
export async function startDemo(options: {
  config: Config;
  database: Database;
  secrets: Secrets;
  jobs: JobsRuntime | null;
  logger: FastifyBaseLogger;
}): Promise<Demo> {
  const { database, secrets, logger } = options;
  const { startChatwootSim } = await import('@cairn/chatwoot-sim');
  const sim = await startChatwootSim({ seed: DEMO_SEED, size: DEMO_SIZE });
  const scope = await ensureDemoProject(database, secrets, sim);
  logger.info(
    { chatwoot: sim.url, projectId: scope.projectId },
    'demo: simulated Chatwoot bound to "Demo studio"',
  );

  const controller = new AbortController();
  if (options.jobs) {
    void runFirstJobs(database, options.jobs, scope, controller.signal).catch((error: unknown) =>
      logger.warn(
        { err: error },
        'demo: first sync or embeddings did not finish; the scheduler retries',
      ),
    );
  } else {
    logger.warn('demo: WORKER_ENABLED=false, so the demo waits for a worker to sync');
  }
  return {
    chatwootUrl: sim.url,
    async stop() {
      controller.abort();
      await sim.stop();
    },
  };
}

/** The demo project, created once; its source follows the simulator's port, new at each start. */
async function ensureDemoProject(
  database: Database,
  secrets: Secrets,
  sim: { url: string; accountId: number; token: string },
): Promise<Scope> {
  const existing = await database.db
    .selectFrom('projects as p')
    .innerJoin('account_scopes as a', 'a.id', 'p.account_scope_id')
    .select(['p.id', 'p.account_scope_id'])
    .where('a.scope_key', '=', DEMO_SCOPE_KEY)
    .where('p.name', '=', DEMO_PROJECT_NAME)
    .executeTakeFirst();
  const actor = { userId: '', username: 'demo', requestId: 'demo-setup' };
  const scope = existing
    ? { projectId: existing.id, accountScopeId: existing.account_scope_id }
    : await createProject(
        database,
        { name: DEMO_PROJECT_NAME, accountScopeKey: DEMO_SCOPE_KEY, accountScopeName: 'Demo' },
        actor,
      ).then((p) => ({
        projectId: p.id,
        accountScopeId: p.account_scope_id,
      }));
  const baseUrl = normalizeBaseUrl(sim.url);
  const bound = await database.withScope(scope, (trx) =>
    trx
      .updateTable('project_sources')
      .set({
        base_url: baseUrl,
        external_id: `${baseUrl}#${sim.accountId}`,
        account_id: sim.accountId,
        api_token_enc: secrets.encrypt(sim.token),
      })
      .where('project_id', '=', scope.projectId)
      .where('source_kind', '=', 'chatwoot_account')
      .returning('id')
      .executeTakeFirst(),
  );
  if (!bound) {
    await bindChatwootSource(
      database,
      secrets,
      scope,
      { baseUrl: sim.url, accountId: sim.accountId, apiToken: sim.token },
      actor,
    );
  }
  return scope;
}

/** Sync, then embed: embedding before the messages are in would find nothing to do. */
async function runFirstJobs(
  database: Database,
  jobs: JobsRuntime,
  scope: Scope,
  signal: AbortSignal,
) {
  const sync = await jobs.enqueue(scope, 'chatwoot_sync', 'demo');
  await waitForRun(database, sync.run.id, signal);
  await jobs.enqueue(scope, 'embeddings_run', 'demo');
}

async function waitForRun(database: Database, runId: string, signal: AbortSignal) {
  while (!signal.aborted) {
    const run = await database.db
      .selectFrom('job_runs')
      .select('status')
      .where('id', '=', runId)
      .executeTakeFirst();
    if (!run || run.status === 'ok' || run.status === 'failed') return;
    await new Promise((resolve) => setTimeout(resolve, RUN_POLL_MS));
  }
}
