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

/** pgvector's text form. Rounded to 7 decimals: float4 keeps ~7 digits, the rest is noise. */
export function toVectorLiteral(vector: ArrayLike<number>): string {
  const parts = new Array<string>(vector.length);
  for (let i = 0; i < vector.length; i++) {
    const x = vector[i]!;
    parts[i] = x === 0 ? '0' : String(Math.round(x * 1e7) / 1e7);
  }
  return `[${parts.join(',')}]`;
}
