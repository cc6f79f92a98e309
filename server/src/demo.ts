import type { FastifyBaseLogger } from 'fastify';
import { demoEnabled, type Config } from './config.js';
import type { Database, Scope } from './db/database.js';
import { parseHostAllowlist, systemResolver } from './lib/net/host-policy.js';
import type { Secrets } from './lib/secrets.js';
import type { JobsRuntime } from './modules/jobs/index.js';
import { waitForRun } from './modules/jobs/runs.js';
import { createProject, type ProjectCreatedHook } from './modules/projects/service.js';
import type { StartPhase } from './modules/system/start-phase.js';
import { bindAttioSource } from './modules/sources/attio-source.js';
import { bindLinearSource } from './modules/sources/linear-source.js';
import { bindChatwootSource, checkBaseUrl, normalizeBaseUrl } from './modules/sources/service.js';
import { systemScope } from './modules/access/system-actor.js';

export const DEMO_PROJECT_NAME = 'Demo studio';
const DEMO_SCOPE_KEY = 'demo';
// Fixed, so every start generates the same studio and re-syncs change nothing.
export const DEMO_SEED = 'cairn-demo-studio';
// About 5,000 messages: enough to search, synced and embedded within a minute on a laptop.
export const DEMO_SIZE = 'small';
// The first sync and indexing take seconds; this only bounds a wait that something broke.
const FIRST_RUN_TIMEOUT_MS = 30 * 60 * 1000;
// Where the demo's simulators listen (their default host).
const DEMO_SIM_HOST = '127.0.0.1';

/**
 * The configuration a demo runs with: the simulators' loopback address added to
 * SOURCE_HOST_ALLOWLIST, exactly as an operator would add a self-hosted Chatwoot on their own
 * network. The guard stays on; anything else on loopback is only reachable because the demo is a
 * single-user, local trial (docs/operations.md, "Outbound requests").
 */
export function withDemoAllowlist(config: Config): Config {
  if (!demoEnabled(config)) return config;
  const entries = (config.SOURCE_HOST_ALLOWLIST ?? '').split(',').map((e) => e.trim());
  if (entries.includes(DEMO_SIM_HOST)) return config;
  return {
    ...config,
    SOURCE_HOST_ALLOWLIST: [...entries.filter(Boolean), DEMO_SIM_HOST].join(','),
  };
}

export interface Demo {
  chatwootUrl: string;
  linearUrl: string;
  attioUrl: string;
  stop(): Promise<void>;
}

/** The three simulated sources of the demo studio, started together. */
export interface DemoSims {
  chatwoot: { url: string; accountId: number; token: string };
  linear: {
    url: string;
    graphqlUrl: string;
    apiKey: string;
    control: { configureWebhook(url: string | null, secret?: string): unknown };
  };
  attio: {
    url: string;
    token: string;
    control: { configureWebhook(url: string | null, secret?: string): unknown };
  };
  stop(): Promise<void>;
}

// The webhook signing secrets the demo's sources are bound with and its simulators sign with.
// Fixed like the seed: the demo is a local trial whose data is generated, not a secret.
const DEMO_WEBHOOK_SECRETS = {
  linear: `lin-wh-${DEMO_SEED}`,
  attio: `attio-wh-${DEMO_SEED}`,
} as const;

/**
 * Chatwoot, Linear and Attio simulators of one generated studio (issue 18, item 5): the same seed
 * and size, so the same clients appear in all three. Their web links (issue `url`, record
 * `web_url`, the agent app's conversation) point at the simulators themselves, which serve a page
 * there: a search hit's deep link opens. Imported lazily: production images never load them.
 */
export async function startDemoSims(size: 'tiny' | 'small' = DEMO_SIZE): Promise<DemoSims> {
  const [{ startChatwootSim }, { startLinearSim }, { startAttioSim }] = await Promise.all([
    import('@cairn/chatwoot-sim'),
    import('@cairn/linear-sim'),
    import('@cairn/attio-sim'),
  ]);
  const common = { seed: DEMO_SEED, size, host: DEMO_SIM_HOST } as const;
  const [chatwoot, linear, attio] = await Promise.all([
    startChatwootSim(common),
    startLinearSim({ ...common, selfLinks: true }),
    startAttioSim({ ...common, selfLinks: true }),
  ]);
  return {
    chatwoot,
    linear,
    attio,
    async stop() {
      await Promise.all([chatwoot.stop(), linear.stop(), attio.stop()]);
    },
  };
}

/**
 * The first-run demo: simulated Chatwoot, Linear and Attio in this process, a "Demo studio"
 * project bound to all three, and a first sync of each followed by embeddings, so a search
 * returns evidence from every source minutes after `npm start`.
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
  const sims = await startDemoSims();
  const scope = await ensureDemoProject(database, options.projectHooks);
  await bindDemoSources({ config, database, secrets }, scope, sims);
  logger.info(
    {
      chatwoot: sims.chatwoot.url,
      linear: sims.linear.url,
      attio: sims.attio.url,
      projectId: scope.projectId,
    },
    'demo: simulated Chatwoot, Linear and Attio bound to "Demo studio"',
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
    chatwootUrl: sims.chatwoot.url,
    linearUrl: sims.linear.url,
    attioUrl: sims.attio.url,
    async stop() {
      controller.abort();
      await sims.stop();
    },
  };
}

const DEMO_ACTOR = { userId: '', username: 'demo', requestId: 'demo-setup' };

/** The demo project, created once. */
async function ensureDemoProject(
  database: Database,
  projectHooks: readonly ProjectCreatedHook[],
): Promise<Scope> {
  const existing = await database.db
    .selectFrom('projects as p')
    .innerJoin('account_scopes as a', 'a.id', 'p.account_scope_id')
    .select(['p.id', 'p.account_scope_id'])
    .where('a.scope_key', '=', DEMO_SCOPE_KEY)
    .where('p.name', '=', DEMO_PROJECT_NAME)
    .executeTakeFirst();
  const project = existing
    ? { projectId: existing.id, accountScopeId: existing.account_scope_id }
    : await createProject(
        database,
        { name: DEMO_PROJECT_NAME, accountScopeKey: DEMO_SCOPE_KEY, accountScopeName: 'Demo' },
        DEMO_ACTOR,
        projectHooks,
      ).then((p) => ({
        projectId: p.id,
        accountScopeId: p.account_scope_id,
      }));
  return systemScope(project, 'demo setup');
}

/**
 * Binds the project to the three simulators exactly as `POST /sources` would (the guard on, the
 * simulators' loopback host allowed by withDemoAllowlist), with webhook secrets for Linear and
 * Attio and their simulators pointed at this API's receivers. A project bound at an earlier start
 * keeps its sources; they follow the simulators' ports, new at each start.
 */
export async function bindDemoSources(
  deps: { config: Config; database: Database; secrets: Secrets },
  scope: Scope,
  sims: DemoSims,
): Promise<{ chatwoot: string; linear: string; attio: string }> {
  const { database, secrets } = deps;
  const config = withDemoAllowlist(deps.config);
  const bindDeps = {
    database,
    secrets,
    config,
    hostPolicy: {
      allowlist: parseHostAllowlist(config.SOURCE_HOST_ALLOWLIST),
      resolve: systemResolver,
    },
  };
  const chatwootUrl = normalizeBaseUrl(sims.chatwoot.url);
  const rebound = (
    kind: 'chatwoot_account' | 'linear_workspace' | 'attio_workspace',
    values: {
      base_url: string;
      api_token: string;
      webhook_secret?: string;
      external_id?: string;
      account_id?: number;
    },
  ) =>
    database.withScope(scope, async (trx) => {
      const row = await trx
        .updateTable('project_sources')
        .set({
          base_url: values.base_url,
          api_token_enc: secrets.encrypt(values.api_token),
          ...(values.webhook_secret && {
            webhook_secret_enc: secrets.encrypt(values.webhook_secret),
          }),
          ...(values.external_id && { external_id: values.external_id }),
          ...(values.account_id !== undefined && { account_id: values.account_id }),
        })
        .where('project_id', '=', scope.projectId)
        .where('source_kind', '=', kind)
        .returning('id')
        .executeTakeFirst();
      return row?.id ?? null;
    });

  const chatwoot =
    (await rebound('chatwoot_account', {
      base_url: chatwootUrl,
      api_token: sims.chatwoot.token,
      external_id: `${chatwootUrl}#${sims.chatwoot.accountId}`,
      account_id: sims.chatwoot.accountId,
    })) ??
    (
      await bindChatwootSource(
        bindDeps,
        scope,
        {
          baseUrl: sims.chatwoot.url,
          accountId: sims.chatwoot.accountId,
          apiToken: sims.chatwoot.token,
        },
        DEMO_ACTOR,
      )
    ).source.id;
  const linear =
    (await rebound('linear_workspace', {
      base_url: await checkBaseUrl(sims.linear.graphqlUrl, bindDeps.hostPolicy),
      api_token: sims.linear.apiKey,
      webhook_secret: DEMO_WEBHOOK_SECRETS.linear,
    })) ??
    (
      await bindLinearSource(
        bindDeps,
        scope,
        {
          baseUrl: sims.linear.graphqlUrl,
          apiKey: sims.linear.apiKey,
          webhookSecret: DEMO_WEBHOOK_SECRETS.linear,
        },
        DEMO_ACTOR,
      )
    ).id;
  const attio =
    (await rebound('attio_workspace', {
      base_url: await checkBaseUrl(sims.attio.url, bindDeps.hostPolicy),
      api_token: sims.attio.token,
      webhook_secret: DEMO_WEBHOOK_SECRETS.attio,
    })) ??
    (
      await bindAttioSource(
        bindDeps,
        scope,
        {
          baseUrl: sims.attio.url,
          apiToken: sims.attio.token,
          webhookSecret: DEMO_WEBHOOK_SECRETS.attio,
        },
        DEMO_ACTOR,
      )
    ).id;
  // Changes made through the simulators' control APIs arrive signed, as from the real services.
  const api = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}`;
  sims.linear.control.configureWebhook(
    `${api}/webhooks/linear/${linear}`,
    DEMO_WEBHOOK_SECRETS.linear,
  );
  sims.attio.control.configureWebhook(`${api}/webhooks/attio/${attio}`, DEMO_WEBHOOK_SECRETS.attio);
  return { chatwoot, linear, attio };
}

export const DEMO_SYNC_JOBS = ['chatwoot_sync', 'linear_sync', 'attio_sync'] as const;

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
  // One after another, Chatwoot first: its messages are what a first search finds, and the
  // embedded database serves one connection at a time, so side by side would only queue.
  for (const type of DEMO_SYNC_JOBS) {
    const sync = await jobs.enqueue(scope, type, 'demo');
    await wait(sync.run.id);
    if (signal.aborted) return;
  }
  onPhase('indexing');
  const embeddings = await jobs.enqueue(scope, 'embeddings_run', 'demo');
  await wait(embeddings.run.id);
}
