/**
 * Ask benchmark (not a test: it prints figures, asserts nothing).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/ask/run.ts
 *   npx tsx bench/ask/run.ts            # embedded PGlite in a temp directory
 *
 * One project of BENCH_CHUNKS synthetic studio messages (default 100,000; bench/search's data),
 * embedded offline and indexed as the embeddings job leaves it, then:
 *  1. the extractive answer end to end (retrieval, extract, verification of every sentence, the
 *     answer stored), p50/p95/p99 over BENCH_QUESTIONS questions, against two same-run baselines
 *     on the same questions: the hybrid search of `POST /search` (topK 10), and the same search
 *     asked for Ask's number of candidates;
 *  2. the verification of an answer of 10 sentences (each citing one of 12 evidence items, half
 *     of them paraphrased), with the offline embedder: time per answer.
 */
import os from 'node:os';
import { loadConfig } from '../../server/src/config.js';
import { askQuestion } from '../../server/src/modules/rag/ask/ask-question.js';
import { askCandidates } from '../../server/src/modules/rag/ask/retrieve-evidence.js';
import { splitSentences } from '../../server/src/modules/rag/ask/split-sentences.js';
import { createVerifier } from '../../server/src/modules/rag/ask/verify-sentences.js';
import { createLocalEmbedder } from '../../server/src/modules/rag/embeddings/local-embedder.js';
import { runEmbeddings } from '../../server/src/modules/rag/run-embeddings.js';
import { searchChunks } from '../../server/src/modules/rag/search-chunks.js';
import { ensureProjectVectorIndex } from '../../server/src/modules/rag/vector-index.js';
import { openBenchDatabase } from '../support/database.js';
import { createProjectWithChunks, percentile, rng } from '../support/studio-chunks.js';

const TOTAL = Number(process.env.BENCH_CHUNKS ?? 100_000);
const QUESTIONS = Number(process.env.BENCH_QUESTIONS ?? 200);
const VERIFICATIONS = Number(process.env.BENCH_VERIFICATIONS ?? 500);
const SENTENCES_PER_ANSWER = 10;

const config = loadConfig({ EMBED_BATCH_SIZE: '200', ...process.env });
const log = (line: string) => console.log(line);
const fmt = (ms: number) => ms.toFixed(1);
const line = (label: string, samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return `${label.padEnd(44)} ${[50, 95, 99].map((p) => fmt(percentile(sorted, p))).join(' / ')} ms`;
};

async function main() {
  const { database, benchConfig, cleanup } = await openBenchDatabase('ask', config);
  const provider = createLocalEmbedder({ dimension: config.EMBEDDING_DIM });
  const where = config.DATABASE_URL ? 'server Postgres' : 'embedded PGlite';
  try {
    log(
      `bench/ask on ${where}: ${TOTAL} chunks in one project, dim ${config.EMBEDDING_DIM}, ` +
        `ASK_MAX_EVIDENCE ${config.ASK_MAX_EVIDENCE}, ${os.cpus().length} cores`,
    );
    let started = Date.now();
    const random = rng(42);
    const project = await createProjectWithChunks(database, 'ask', TOTAL, random);
    log(`loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    started = Date.now();
    await runEmbeddings({ database, config: benchConfig, scope: project, provider });
    const graph = await ensureProjectVectorIndex({
      database,
      scope: project,
      minReady: config.SEARCH_EXACT_THRESHOLD,
      maintenanceWorkMem: '1024MB',
    });
    log(`embedded and indexed (${graph}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const search = (query: string, topK = 10) =>
      searchChunks({ database, config: benchConfig, scope: project, provider, query, topK });
    const ask = (question: string) =>
      askQuestion({
        database,
        config: benchConfig,
        scope: project,
        userId: null,
        embedder: provider,
        chat: null,
        body: { question },
        signal: new AbortController().signal,
        emit: () => undefined,
      });

    // Questions: six to ten adjacent words of a message, as a person half-remembers them.
    const qrandom = rng(7);
    const questions = Array.from({ length: QUESTIONS }, () => {
      const words = project.texts[Math.floor(qrandom() * project.texts.length)]!.split(' ');
      const n = Math.min(words.length, 6 + Math.floor(qrandom() * 5));
      const start = Math.floor(qrandom() * (words.length - n + 1));
      return words.slice(start, start + n).join(' ');
    });

    // A warm-up round for each, so both measured rounds run with warm caches.
    for (const q of questions.slice(0, 20)) {
      await search(q);
      await ask(q);
    }
    const searchMs: number[] = [];
    const candidatesMs: number[] = [];
    const askMs: number[] = [];
    let sentences = 0;
    let evidence = 0;
    for (const q of questions) {
      let t0 = performance.now();
      await search(q);
      searchMs.push(performance.now() - t0);
      t0 = performance.now();
      await search(q, askCandidates(config.ASK_MAX_EVIDENCE));
      candidatesMs.push(performance.now() - t0);
      t0 = performance.now();
      const answer = await ask(q);
      askMs.push(performance.now() - t0);
      sentences += answer.sentences.length;
      evidence += answer.evidence.length;
    }
    log(line('hybrid search alone, topK 10 (baseline)', searchMs));
    log(
      line(
        `hybrid search, topK ${askCandidates(config.ASK_MAX_EVIDENCE)} (Ask's candidates)`,
        candidatesMs,
      ),
    );
    log(line('extractive answer, end to end', askMs));
    log(
      `  per answer: ${(evidence / QUESTIONS).toFixed(1)} evidence items, ` +
        `${(sentences / QUESTIONS).toFixed(1)} sentences verified`,
    );

    // Verification alone: answers of 10 sentences over 12 evidence items, no database.
    const vrandom = rng(11);
    const verifyMs: number[] = [];
    for (let i = 0; i < VERIFICATIONS; i++) {
      const items = Array.from({ length: 12 }, (_, k) => ({
        n: k + 1,
        chunk_id: `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`,
        message_global_id: `cwmsg:bench:1:${k}`,
        quote: project.texts[Math.floor(vrandom() * project.texts.length)]!,
        contact_name: 'Анна Петрова',
        message_created_at: '2026-02-25T10:00:00.000Z',
      }));
      const answer = Array.from({ length: SENTENCES_PER_ANSWER }, (_, k) => {
        const item = items[Math.floor(vrandom() * items.length)]!;
        const words = item.quote.split(' ');
        // Half quote their item, half keep a few of its words among others.
        const text =
          k % 2 === 0
            ? words.join(' ')
            : [...words.slice(0, 3), 'и', 'ещё', 'несколько', 'слов', ...words.slice(-2)].join(' ');
        return `${text.charAt(0).toUpperCase()}${text.slice(1)} ${k + 1} [${item.n}].`;
      }).join(' ');
      const t0 = performance.now();
      const verifier = createVerifier({
        evidence: items,
        threshold: config.ASK_SUPPORT_THRESHOLD,
        embed: async (texts) => (await provider.embed(texts)).vectors,
      });
      for (const [k, span] of splitSentences(answer).entries()) await verifier.verify(span, k);
      verifyMs.push(performance.now() - t0);
    }
    log(line(`verification of a ${SENTENCES_PER_ANSWER}-sentence answer (offline)`, verifyMs));
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
