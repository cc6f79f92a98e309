import type { Config } from '../../config.js';
import { createSecrets, resolveSecretsKey, type Secrets } from '../../lib/secrets.js';
import { syncChatwoot } from '../connectors/chatwoot/sync-chatwoot.js';
import { createEmbeddingProvider } from '../rag/embeddings/provider.js';
import { processOutbound } from '../outbound/process-outbound.js';
import { stopOnReply } from '../outbound/stop-on-reply.js';
import { runEmbeddings } from '../rag/run-embeddings.js';
import { ensureProjectVectorIndex } from '../rag/vector-index.js';
import { loadChatwootSource } from '../sources/service.js';
import { loadLinearSource } from '../sources/linear-source.js';
import { syncLinear, SYNC_ORDER } from '../connectors/linear/sync-linear.js';
import { loadAttioSource } from '../sources/attio-source.js';
import { syncAttio, SYNC_ORDER as ATTIO_SYNC_ORDER } from '../connectors/attio/sync-attio.js';
import { rebuildPeople } from '../people/rebuild.js';
import { runSignalsForProject, signalsAfterMessagesApplied } from '../signals/run-signals.js';
import { createSystemMailer } from '../../lib/mail.js';
import { sendDailyDigests } from '../signals/digest.js';
import { createLlmDetector } from '../signals/llm-detector.js';
import { digestUnsubscribeBase } from '../signals/digest-unsubscribe.js';
import {
  DIGEST_WEBHOOK_MAX_RESPONSE_BYTES,
  DIGEST_WEBHOOK_TIMEOUT_MS,
} from '../signals/digest-webhook.js';
import { createGuardedHttp } from '../../lib/net/guarded-http.js';
import type { PeriodicTask } from './runtime.js';
import type { JobHandler, JobHandlers } from './types.js';

/**
 * The handler registry: one entry per job type, each a thin adapter from the job context to the
 * owning module's service function. A module plugs in by adding its line here; tests pass their
 * own map to `startJobs`. A job type with no entry fails its runs with a clear error.
 */
export function defaultJobHandlers(config: Config): JobHandlers {
  return {
    chatwoot_sync: chatwootSync(config),
    embeddings_run: embeddingsRun(config),
    outbound_process: outboundProcess(config),
    signals_run: signalsRun(config),
    linear_sync: linearSync(config),
    attio_sync: attioSync(config),
  };
}

/**
 * Timed work across projects: the daily signals digest, by email when SMTP is configured and to
 * the users' digest webhooks. Every worker runs it; the digest's claim (signals/digest.ts) makes
 * one mail and one webhook delivery per user and day of all of them.
 */
export function defaultPeriodicTasks(config: Config): PeriodicTask[] {
  const mailer = config.SMTP_URL
    ? createSystemMailer({ smtpUrl: config.SMTP_URL, from: config.SMTP_FROM })
    : null;
  let secrets: Promise<Secrets> | undefined;
  return [
    {
      name: 'signals digest',
      seconds: 300,
      run: async ({ database, workerId, logger }) => {
        if (new Date().getUTCHours() < config.SIGNALS_DIGEST_HOUR_UTC) return;
        secrets ??= resolveSecretsKey(config).then(createSecrets);
        // Without a key (a misconfigured worker) the webhooks cannot be signed; email still goes.
        const keys = await secrets.catch((err: unknown) => {
          logger.warn({ err }, 'signals digest webhooks skipped: no SECRETS_KEY');
          return null;
        });
        // Webhook URLs are user input: the guarded agent, a short total timeout, no redirects.
        const http = createGuardedHttp({
          allowlist: config.SOURCE_HOST_ALLOWLIST,
          totalTimeoutMs: DIGEST_WEBHOOK_TIMEOUT_MS,
          maxResponseBytes: DIGEST_WEBHOOK_MAX_RESPONSE_BYTES,
        });
        try {
          const counts = await sendDailyDigests({
            database,
            mailer,
            workerId,
            unsubscribeBase: digestUnsubscribeBase(config),
            webhook: keys ? { fetch: http.fetch, secrets: keys } : null,
            onError: (err, userId, channel) =>
              logger.warn({ err, userId, channel }, 'signals digest not sent'),
          });
          if (counts.sent + counts.failed + counts.webhook_sent + counts.webhook_failed > 0)
            logger.info(counts, 'signals digest');
        } finally {
          await http.close();
        }
      },
    },
  ];
}

function signalsRun(config: Config): JobHandler {
  // SIGNALS_LLM=on adds the model detector to the scheduled run (never to ingest: no network call
  // inside a sync's write transaction). Its counts (llm_claims, llm_dropped, …) are the run's.
  const llm = createLlmDetector(config);
  return async ({ database, scope, signal, onProgress, logger }) => {
    const counts = await runSignalsForProject({
      database,
      scope,
      signal,
      llm,
      onLlmError: (err, conversationId) =>
        logger.warn({ err, conversationId }, 'llm signal detector failed for a conversation'),
      onProgress: (processed) => onProgress({ phase: 'detecting', processed }),
    });
    onProgress({ phase: 'done', processed: counts.conversations, total: counts.conversations });
    return { ...counts };
  };
}

function outboundProcess(config: Config): JobHandler {
  let secrets: Promise<Secrets> | undefined;
  return async ({ database, scope, signal, onProgress }) => {
    secrets ??= resolveSecretsKey(config).then(createSecrets);
    const counts = await processOutbound({
      database,
      config,
      scope,
      secrets: await secrets,
      signal,
    });
    onProgress({ phase: 'done', processed: counts.processed, total: counts.processed });
    return { ...counts };
  };
}

function chatwootSync(config: Config): JobHandler {
  let secrets: Promise<Secrets> | undefined;
  return async ({ database, scope, signal, onProgress }) => {
    secrets ??= resolveSecretsKey(config).then(createSecrets);
    const source = await loadChatwootSource(database, await secrets, scope);
    // A project that has not been bound yet is not failing: there is simply nothing to sync.
    if (!source) return { skipped: 'no Chatwoot source is bound to this project' };
    const counts = await syncChatwoot({
      database,
      config,
      scope,
      source,
      signal,
      onProgress: (processed, total, phase) => onProgress({ processed, total, phase }),
      // The ingest subscribers the app's plugins register (a worker process has no app): the
      // detectors for every conversation each write transaction applies (issue 19), and
      // stop-on-reply for every new contact reply, both in that transaction.
      onMessagesApplied: [signalsAfterMessagesApplied],
      onInboundReplies: [stopOnReply],
    });
    // The job that syncs also relinks people (a worker process has no app and its hooks).
    const people = await rebuildPeople(database, config, scope);
    return { ...counts, ...people };
  };
}

function linearSync(config: Config): JobHandler {
  let secrets: Promise<Secrets> | undefined;
  return async ({ database, scope, signal, onProgress }) => {
    secrets ??= resolveSecretsKey(config).then(createSecrets);
    const source = await loadLinearSource(database, await secrets, scope);
    // The schedule goes with the source, but a run queued before an unbind still comes here.
    if (!source) return { skipped: 'no Linear workspace is bound to this project' };
    onProgress({ phase: 'syncing' });
    const counts = await syncLinear({ database, scope, config, source, signal });
    let rows = 0;
    let chunked = 0;
    for (const kind of SYNC_ORDER) {
      const k = counts.kinds[kind];
      rows += k.inserted + k.updated + k.deleted;
      if (kind === 'issues' || kind === 'comments') chunked += k.inserted + k.updated;
    }
    onProgress({ phase: 'done', processed: rows, total: rows });
    // Users and customers feed people linking; as for Chatwoot, the job that syncs relinks.
    const people = await rebuildPeople(database, config, scope);
    // rows_written and chunks_created are what the runtime reads to analyze tables and to wake
    // an embeddings run (runtime.ts).
    return { ...counts, ...people, rows_written: rows, chunks_created: chunked };
  };
}

function attioSync(config: Config): JobHandler {
  let secrets: Promise<Secrets> | undefined;
  return async ({ database, scope, signal, onProgress }) => {
    secrets ??= resolveSecretsKey(config).then(createSecrets);
    const source = await loadAttioSource(database, await secrets, scope);
    // The schedule goes with the source, but a run queued before an unbind still comes here.
    if (!source) return { skipped: 'no Attio workspace is bound to this project' };
    onProgress({ phase: 'syncing' });
    const counts = await syncAttio({ database, scope, config, source, signal });
    let rows = 0;
    let chunked = 0;
    for (const kind of ATTIO_SYNC_ORDER) {
      const k = counts.kinds[kind];
      rows += k.inserted + k.updated + k.deleted;
      if (kind === 'notes' || kind === 'tasks') chunked += k.inserted + k.updated;
    }
    onProgress({ phase: 'done', processed: rows, total: rows });
    // People, companies and members feed people linking: the job that syncs relinks.
    const people = await rebuildPeople(database, config, scope);
    // rows_written and chunks_created are what the runtime reads to analyze tables and to wake
    // an embeddings run (runtime.ts).
    return { ...counts, ...people, rows_written: rows, chunks_created: chunked };
  };
}

function embeddingsRun(config: Config): JobHandler {
  // One provider per process: the offline embedder builds its tables once.
  const provider = createEmbeddingProvider(config);
  return async ({ database, scope, signal, onProgress }) => {
    const counts = await runEmbeddings({
      database,
      config,
      scope,
      provider,
      signal,
      onProgress: (progress) =>
        onProgress({
          phase: 'embedding',
          processed: progress.embedded + progress.failed,
          total: progress.claimed,
          counts: { ...progress },
        }),
    });
    if (signal.aborted) return { ...counts };
    // After the run, not before: a backfill writes its vectors without a graph to update.
    const vectorIndex = await ensureProjectVectorIndex({
      database,
      scope,
      minReady: config.SEARCH_EXACT_THRESHOLD,
    });
    return { ...counts, vector_index: vectorIndex };
  };
}
