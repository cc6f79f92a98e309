import type { FastifyBaseLogger } from 'fastify';
import { demoEnabled, type Config } from './config.js';
import type { Database, Scope } from './db/database.js';
import { parseHostAllowlist, systemResolver } from './lib/net/host-policy.js';
import type { Secrets } from './lib/secrets.js';
import type { JobsRuntime } from './modules/jobs/index.js';
import { waitForRun } from './modules/jobs/runs.js';
import { createProject, type ProjectCreatedHook } from './modules/projects/service.js';
import type { StartPhase } from './modules/system/start-phase.js';
import { bindChatwootSource, normalizeBaseUrl } from './modules/sources/service.js';
import { systemScope } from './modules/access/system-actor.js';

export const DEMO_PROJECT_NAME = 'Demo studio';
const DEMO_SCOPE_KEY = 'demo';
// Fixed, so every start generates the same studio and re-syncs change nothing.
export const DEMO_SEED = 'cairn-demo-studio';
// About 5,000 messages: enough to search, synced and embedded within a minute on a laptop.
export const DEMO_SIZE = 'small';
// The first sync and indexing take seconds; this only bounds a wait that something broke.
const FIRST_RUN_TIMEOUT_MS = 30 * 60 * 1000;
// Where the demo's simulator listens (its default host).
const DEMO_CHATWOOT_HOST = '127.0.0.1';

/**
 * The configuration a demo runs with: the simulator's loopback address added to
 * SOURCE_HOST_ALLOWLIST, exactly as an operator would add a self-hosted Chatwoot on their own
 * network. The guard stays on; anything else on loopback is only reachable because the demo is a
 * single-user, local trial (docs/operations.md, "Outbound requests").
 */
export function withDemoAllowlist(config: Config): Config {
  if (!demoEnabled(config)) return config;
  const entries = (config.SOURCE_HOST_ALLOWLIST ?? '').split(',').map((e) => e.trim());
  if (entries.includes(DEMO_CHATWOOT_HOST)) return config;
  return {
    ...config,
    SOURCE_HOST_ALLOWLIST: [...entries.filter(Boolean), DEMO_CHATWOOT_HOST].join(','),
  };
}

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
  projectHooks: readonly ProjectCreatedHook[];
  /** Told when the demo starts indexing and when it is ready (the start phase /health shows). */
  onPhase: (phase: Extract<StartPhase, 'indexing' | 'ready'>) => void;
}): Promise<Demo> {
  const { config, database, secrets, logger } = options;
  const { startChatwootSim } = await import('@cairn/chatwoot-sim');
  const sim = await startChatwootSim({
    seed: DEMO_SEED,
    size: DEMO_SIZE,
    host: DEMO_CHATWOOT_HOST,
  });
  const scope = await ensureDemoProject(config, database, secrets, sim, options.projectHooks);
  logger.info(
    { chatwoot: sim.url, projectId: scope.projectId },
    'demo: simulated Chatwoot bound to "Demo studio"',
  );

  const controller = new AbortController();
  if (options.jobs) {
    void runFirstJobs(database, options.jobs, scope, controller.signal, options.onPhase)
      .catch((error: unknown) =>
        logger.warn(
          { err: error },
          'demo: first sync or embeddings did not finish; the scheduler retries',
        ),
      )
      // Ready either way: a failed first run is visible in the jobs page, not a start that hangs.
      .finally(() => options.onPhase('ready'));
  } else {
    logger.warn('demo: WORKER_ENABLED=false, so the demo waits for a worker to sync');
    options.onPhase('ready');
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
  config: Config,
  database: Database,
  secrets: Secrets,
  sim: { url: string; accountId: number; token: string },
  projectHooks: readonly ProjectCreatedHook[],
): Promise<Scope> {
  const existing = await database.db
    .selectFrom('projects as p')
    .innerJoin('account_scopes as a', 'a.id', 'p.account_scope_id')
    .select(['p.id', 'p.account_scope_id'])
    .where('a.scope_key', '=', DEMO_SCOPE_KEY)
    .where('p.name', '=', DEMO_PROJECT_NAME)
    .executeTakeFirst();
  const actor = { userId: '', username: 'demo', requestId: 'demo-setup' };
  const project = existing
    ? { projectId: existing.id, accountScopeId: existing.account_scope_id }
    : await createProject(
        database,
        { name: DEMO_PROJECT_NAME, accountScopeKey: DEMO_SCOPE_KEY, accountScopeName: 'Demo' },
        actor,
        projectHooks,
      ).then((p) => ({
        projectId: p.id,
        accountScopeId: p.account_scope_id,
      }));
  const scope = systemScope(project, 'demo setup');
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
      {
        database,
        secrets,
        hostPolicy: {
          allowlist: parseHostAllowlist(withDemoAllowlist(config).SOURCE_HOST_ALLOWLIST),
          resolve: systemResolver,
        },
      },
      scope,
      { baseUrl: sim.url, accountId: sim.accountId, apiToken: sim.token },
      actor,
    );
  }
  return scope;
}

/**
 * Sync, then embed: embedding before the messages are in would find nothing to do. The sync's own
 * follow-up (jobs/embeddings-wake.ts) may have queued the embeddings run already; asking again
 * returns that run.
 */
async function runFirstJobs(
  database: Database,
  jobs: JobsRuntime,
  scope: Scope,
  signal: AbortSignal,
  onPhase: (phase: 'indexing') => void,
) {
  const wait = (runId: string) =>
    waitForRun(database, scope, runId, {
      timeoutMs: FIRST_RUN_TIMEOUT_MS,
      signal,
      signals: jobs.signals,
    });
  const sync = await jobs.enqueue(scope, 'chatwoot_sync', 'demo');
  await wait(sync.run.id);
  if (signal.aborted) return;
  onPhase('indexing');
  const embeddings = await jobs.enqueue(scope, 'embeddings_run', 'demo');
  await wait(embeddings.run.id);
}
