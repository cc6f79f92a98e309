import { embeddingProvider, type Config } from '../../../config.js';
import { createLocalEmbedder } from './local-embedder.js';
import { createOpenAiEmbedder } from './openai-embedder.js';

export interface EmbedResult {
  /** One vector per input, in input order, each of length `dimension`. */
  vectors: number[][];
  /** Tokens billed for the call; 0 for the free offline embedder, so it never hits the budget. */
  tokens: number;
}

export interface EmbeddingProvider {
  readonly name: 'local' | 'openai';
  /** Stored in `rag_chunks.embedding_model`; a change re-embeds every ready chunk. */
  readonly model: string;
  readonly dimension: number;
  /** The largest number of inputs one `embed` call should be given. */
  readonly maxBatchInputs: number;
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<EmbedResult>;
}

/** A provider call that failed for good: names the HTTP status (if any) and attempts made. */
export class EmbeddingProviderError extends Error {
  constructor(
    message: string,
    readonly details: { status?: number; attempts: number; retryable: boolean },
  ) {
    super(message);
    this.name = 'EmbeddingProviderError';
  }
}

/** The provider `EMBEDDING_PROVIDER` selects (`openai` when a key is set and none is named). */
export function createEmbeddingProvider(config: Config): EmbeddingProvider {
  if (embeddingProvider(config) === 'openai') {
    if (!config.OPENAI_API_KEY) {
      throw new Error('EMBEDDING_PROVIDER=openai needs OPENAI_API_KEY');
    }
    return createOpenAiEmbedder({
      apiKey: config.OPENAI_API_KEY,
      baseUrl: config.OPENAI_BASE_URL,
      model: config.EMBEDDING_MODEL,
      dimension: config.EMBEDDING_DIM,
      maxInputs: Math.min(config.OPENAI_EMBED_MAX_INPUTS, config.EMBED_BATCH_SIZE),
      timeoutMs: config.OPENAI_TIMEOUT_MS,
    });
  }
  return createLocalEmbedder({ dimension: config.EMBEDDING_DIM });
}

/**
 * pgvector's text form, six decimals per component: more than float4 keeps for unit-vector
 * components, and formatting fixed-point integers is several times faster than printing doubles
 * (this runs for every component of every vector a backfill writes).
 */
export function toVectorLiteral(vector: ArrayLike<number>): string {
  // Offline vectors are mostly zeros: runs of them are appended as one cached string.
  let out = '[';
  let zeros = 0;
  for (let i = 0; i < vector.length; i++) {
    const n = Math.round(vector[i]! * 1e6);
    if (n === 0) {
      zeros++;
      continue;
    }
    if (zeros > 0) out += zeroRun(zeros);
    zeros = 0;
    out += formatMicros(n) + ',';
  }
  if (zeros > 0) out += zeroRun(zeros);
  return out.slice(0, -1) + ']';
}

const zeroRuns: string[] = [];
function zeroRun(count: number): string {
  return (zeroRuns[count] ??= '0,'.repeat(count));
}

/** `n` millionths as a decimal string, e.g. -12345 → "-0.012345". */
function formatMicros(n: number): string {
  const abs = n < 0 ? -n : n;
  const whole = Math.floor(abs / 1e6);
  const fraction = String(abs - whole * 1e6).padStart(6, '0');
  return `${n < 0 ? '-' : ''}${whole}.${fraction}`;
}
