/**
 * Fresh content findable at once: from a signed Chatwoot webhook delivered (a new message) to the
 * message being a hit of the text half and of the vector half of `POST /search`, 20 deliveries,
 * p50/p95. Target: both halves within 2 s at p95. The text half is the same-run baseline (it is
 * written by the webhook's own transaction); the vector half needs an embeddings run, which the
 * fresh chunks ask for (jobs/embeddings-wake.ts) instead of waiting for the 5-minute schedule.
 *
 *   npx tsx bench/jobs/fresh-content.ts                 # embedded, worker in the API process
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/jobs/fresh-content.ts
 *
 * BENCH_DELIVERIES (default 20).
 */
import os from 'node:os';
import { buildWebhookPayload, signedDelivery } from '@cairn/chatwoot-sim';
import pino from 'pino';
import { defaultJobHandlers } from '../../server/src/modules/jobs/handlers.js';
import { startJobs } from '../../server/src/modules/jobs/runtime.js';
import { ms, percentile, startStack, WEBHOOK_SECRET } from '../support/stack.js';

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 20);
const GIVE_UP_MS = 30_000;
// Searching is not free on the embedded database (one statement at a time): poll gently.
const POLL_MS = 200;
const serverUrl = process.env.BENCH_DATABASE_URL;

const WORDS = (
  'amber basalt cobalt dune ember fjord garnet harbor indigo juniper kestrel lagoon meadow ' +
  'nectar obsidian pebble quartz russet saffron tundra umber velvet willow xenon yarrow zephyr'
).split(' ');

interface Hit {
  message_global_id: string;
  scores: { vector: number | null; text: number | null };
}

async function main() {
  const home = serverUrl ? 'server Postgres' : 'embedded';
  console.log(
    `fresh content, ${home}, ${DELIVERIES} webhook deliveries ` +
      `(load average ${os
        .loadavg()
        .map((n) => n.toFixed(1))
        .join(' ')})`,
  );
  const stack = await startStack({ label: 'fresh', serverUrl, simSize: 'small' });
  const jobs = await startJobs({
    config: stack.config,
    database: stack.database,
    logger: pino({ level: 'silent' }),
    handlers: defaultJobHandlers(stack.config),
    signals: stack.app.jobs.signals,
    scheduler: false,
  });
  try {
    await stack.session.request('POST', '/jobs/chatwoot/sync?wait=true');
    // The sync asked for its chunks' embeddings itself; this waits for that run.
    await stack.session.request('POST', '/jobs/embeddings/run?wait=true');

    const conversations = stack.sim.control.groundTruth.conversationIds();
    const text: number[] = [];
    const both: number[] = [];
    for (let i = 0; i < DELIVERIES; i++) {
      const pick = (n: number) => WORDS[(i * 7 + n * 11) % WORDS.length];
      const content =
        `Fresh note ${i}: the ${pick(1)} ${pick(2)} proofs for the ${pick(3)} ${pick(4)} ` +
        `catalogue need the ${pick(5)} foil before Friday.`;
      const conversationId = conversations[i % conversations.length]!;
      const message = stack.sim.control.addMessage({
        conversationId,
        content,
        message_type: 'incoming',
      });
      const delivery = signedDelivery(
        WEBHOOK_SECRET,
        buildWebhookPayload(stack.sim, 'message_created', {
          conversationId,
          messageId: message.id as number,
        }),
      );
      const suffix = `:${message.id as number}`;
      const started = performance.now();
      const res = await fetch(`${stack.baseUrl}/webhooks/chatwoot/${stack.sourceId}`, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
      });
      if (!res.ok) throw new Error(`webhook: ${res.status} ${await res.text()}`);
      let textAt: number | undefined;
      for (;;) {
        const elapsed = performance.now() - started;
        if (elapsed > GIVE_UP_MS) {
          const { rows } = await stack.database.pool.query(
            `select embedding_status, text from rag_chunks where message_global_id like '%' || $1`,
            [suffix],
          );
          const runs = await stack.database.pool.query(
            `select status, trigger, counts, created_at, finished_at from job_runs where job_name = 'embeddings_run' order by created_at desc limit 3`,
          );
          console.error(JSON.stringify({ rows, runs: runs.rows }, null, 1));
          throw new Error(`message ${i} not found by both halves in 30 s`);
        }
        const search = await stack.session.request('POST', '/search', { query: content, topK: 20 });
        const hit = ((await search.json()) as { hits: Hit[] }).hits.find((h) =>
          h.message_global_id.endsWith(suffix),
        );
        if (hit?.scores.text != null) textAt ??= performance.now() - started;
        if (hit?.scores.text != null && hit.scores.vector != null) {
          both.push(performance.now() - started);
          text.push(textAt!);
          break;
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    }
    console.log(
      `text half (baseline)                 p50 ${ms(percentile(text, 50))} p95 ${ms(percentile(text, 95))}`,
    );
    console.log(
      `text and vector half                 p50 ${ms(percentile(both, 50))} p95 ${ms(percentile(both, 95))}` +
        ` | target p95 <= 2000 ms: ${percentile(both, 95) <= 2000 ? 'meets' : 'MISSES'}`,
    );
  } finally {
    await jobs.stop();
    await stack.close();
  }
}

await main();
