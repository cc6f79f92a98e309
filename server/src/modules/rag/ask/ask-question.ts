import { randomUUID } from 'node:crypto';
import type {
  AskAnswer,
  AskBody,
  AskErrorCode,
  AskEvent,
  AskEvidence,
  AskHeading,
  AskSentence,
} from '@cairn/contract';
import type { Config } from '../../../config.js';
import type { Database, Scope } from '../../../db/database.js';
import { estimateTokens } from '../embeddings/openai-embedder.js';
import type { EmbeddingProvider } from '../embeddings/provider.js';
import { fitToBudget } from './build-prompt.js';
import { composeExtractive, extractiveHeading, noEvidenceHeading } from './compose-extractive.js';
import { ChatProviderError, type ChatProvider } from './openai-chat.js';
import { numberEvidence, retrieveEvidence } from './retrieve-evidence.js';
import { createSentenceStream, type SentenceSpan } from './split-sentences.js';
import { storeAnswer } from './store-answer.js';
import { reserveTokens, settleTokens, type Reservation } from './token-budget.js';
import { createVerifier } from './verify-sentences.js';

/** Why an answer could not be given; the route sends it as the `error` event or an HTTP error. */
export class AskError extends Error {
  constructor(
    readonly code: AskErrorCode,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'AskError';
  }
}

export type AskConfig = Pick<
  Config,
  | 'SEARCH_EXACT_THRESHOLD'
  | 'ASK_MAX_EVIDENCE'
  | 'ASK_MAX_TOKENS_PER_ANSWER'
  | 'ASK_DAILY_TOKEN_BUDGET'
  | 'ASK_SUPPORT_THRESHOLD'
>;

export interface AskOptions {
  database: Database;
  config: AskConfig;
  scope: Scope;
  /** The asker, stored with the answer; null for a caller with no user (a future token). */
  userId: string | null;
  /** The project's embedder: retrieval and the verifier's similarity. */
  embedder: EmbeddingProvider;
  /** Null: the offline extractive answer. */
  chat: ChatProvider | null;
  body: AskBody;
  /** Aborted when the caller goes away: the model request stops and nothing is stored. */
  signal: AbortSignal;
  /** Receives every stream event in order; the JSON form passes a no-op. */
  emit: (event: AskEvent) => void;
}

/**
 * One question, answered from the project's evidence: retrieve, compose (model or extract),
 * verify each sentence as soon as it is complete, store, and report. Events go to `emit` as they
 * happen, so the first words reach a streaming client before the model has finished; the stored
 * and returned answer is the same object the events describe.
 */
export async function askQuestion(options: AskOptions): Promise<AskAnswer> {
  const { database, config, scope, chat, body, signal, emit } = options;
  const started = performance.now();
  const id = randomUUID();
  const mode = chat ? 'model' : 'extractive';

  const ranked = await retrieveEvidence({
    database,
    config,
    scope,
    provider: options.embedder,
    body,
    maxEvidence: config.ASK_MAX_EVIDENCE,
  });
  signal.throwIfAborted();

  let evidence: AskEvidence[];
  let heading: AskHeading | null = null;
  let extract: { text: string; messages: number } | null = null;
  let prompt: ReturnType<typeof fitToBudget> | null = null;
  let reservation: Reservation | null = null;
  if (ranked.length === 0) {
    evidence = [];
    heading = noEvidenceHeading();
  } else if (chat) {
    prompt = fitToBudget(body.question, ranked, config.ASK_MAX_TOKENS_PER_ANSWER);
    evidence = prompt.evidence;
    reservation = await reserveTokens(
      database,
      scope,
      prompt.promptTokens + prompt.maxTokens,
      config.ASK_DAILY_TOKEN_BUDGET,
    );
    if (!reservation) {
      throw new AskError(
        'token_budget_exhausted',
        `the project's daily budget of ${config.ASK_DAILY_TOKEN_BUDGET} model tokens for answers is spent; it renews at 00:00 UTC`,
        secondsToUtcMidnight(),
      );
    }
  } else {
    evidence = numberEvidence(ranked);
    extract = composeExtractive(body.question, evidence);
    heading = extractiveHeading(extract.messages, evidence.length);
  }

  emit({
    event: 'answer.started',
    data: { answer_id: id, mode, model: chat?.model ?? null, heading, evidence },
  });

  const verifier = createVerifier({
    evidence,
    threshold: config.ASK_SUPPORT_THRESHOLD,
    embed: async (texts) => (await options.embedder.embed(texts, { signal })).vectors,
  });
  const sentences: AskSentence[] = [];
  const verify = async (spans: SentenceSpan[]) => {
    for (const span of spans) {
      const verdict = await verifier.verify(span, sentences.length);
      sentences.push(verdict.sentence);
      for (const citation of verdict.citations) emit({ event: 'citation', data: citation });
      emit({ event: 'sentence.verdict', data: verdict.sentence });
    }
  };

  const text = createSentenceStream();
  const write = async (delta: string) => {
    emit({ event: 'answer.delta', data: { text: delta } });
    await verify(text.push(delta));
  };
  const usage = { prompt_tokens: 0, completion_tokens: 0 };
  try {
    if (prompt && chat) {
      let reported = false;
      try {
        for await (const piece of chat.stream(
          { messages: prompt.messages, maxTokens: prompt.maxTokens },
          { signal },
        )) {
          if (piece.type === 'text') await write(piece.text);
          else {
            reported = true;
            usage.prompt_tokens = piece.promptTokens;
            usage.completion_tokens = piece.completionTokens;
          }
        }
      } catch (error) {
        if (error instanceof ChatProviderError) {
          const retryAfter = error.details.retryAfterMs;
          throw new AskError(
            error.code,
            error.message,
            retryAfter === undefined ? null : Math.ceil(retryAfter / 1000),
          );
        }
        throw error;
      } finally {
        // A provider that reports no usage is counted by estimate, as the embeddings are.
        if (!reported) {
          usage.prompt_tokens = prompt.promptTokens;
          usage.completion_tokens = estimateTokens(text.text);
        }
      }
    } else if (extract) {
      // One delta per paragraph: the extract exists at once, but a client renders it the same way.
      const paragraphs = extract.text.split(/(?<=\n\n)/u);
      for (const paragraph of paragraphs) await write(paragraph);
    }
    await verify(text.end());
  } finally {
    if (reservation) {
      await settleTokens(
        database,
        scope,
        reservation,
        usage.prompt_tokens + usage.completion_tokens,
      );
    }
  }
  signal.throwIfAborted();

  const supported = sentences.filter((s) => s.supported).length;
  const answer: AskAnswer = {
    id,
    question: body.question,
    filters: {
      ...(body.source ? { source: body.source } : {}),
      ...(body.since ? { since: body.since } : {}),
      ...(body.until ? { until: body.until } : {}),
    },
    mode,
    model: chat?.model ?? null,
    heading,
    answer: text.text,
    sentences,
    evidence,
    totals: {
      sentences: sentences.length,
      supported,
      unsupported: sentences.length - supported,
      citations: sentences.reduce((sum, s) => sum + s.citations.length, 0),
      removed_citations: sentences.reduce((sum, s) => sum + s.removed.length, 0),
      support_rate: sentences.length === 0 ? null : round(supported / sentences.length),
      evidence_count: evidence.length,
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      duration_ms: Math.round(performance.now() - started),
    },
    feedback: null,
    created_at: new Date().toISOString(),
  };
  await storeAnswer(database, scope, options.userId, answer);
  emit({ event: 'done', data: { answer_id: id, mode, ...answer.totals } });
  return answer;
}

function secondsToUtcMidnight(now = new Date()): number {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.ceil((midnight - now.getTime()) / 1000);
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;
