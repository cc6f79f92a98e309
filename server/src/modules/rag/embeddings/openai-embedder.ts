import { setTimeout as sleep } from 'node:timers/promises';
import { EmbeddingProviderError, type EmbedResult, type EmbeddingProvider } from './provider.js';

export interface OpenAiEmbedderOptions {
  apiKey: string;
  /** Up to and including `/v1`, e.g. https://api.openai.com/v1 or a self-hosted server. */
  baseUrl: string;
  model: string;
  dimension: number;
  /** Inputs per HTTP request (OPENAI_EMBED_MAX_INPUTS, at most EMBED_BATCH_SIZE). */
  maxInputs: number;
  timeoutMs: number;
  /** Retries after the first attempt, for 429, 5xx, timeouts and network errors. */
  maxRetries?: number;
  /** First backoff step; doubles per retry, with full jitter. */
  retryBaseMs?: number;
  /** Upper bound on any single wait, including a server's Retry-After. */
  retryMaxDelayMs?: number;
  fetch?: typeof fetch;
}

// OpenAI caps one request at 300,000 tokens across inputs; stay well below so an estimate that
// runs low (Cyrillic, code) still fits.
const MAX_REQUEST_TOKENS = 200_000;
// Rough tokens per character: about 4 chars/token in English, closer to 2 in Russian. The low
// figure errs on the side of smaller requests.
const CHARS_PER_TOKEN = 2;
// 8191 tokens is the per-input limit of OpenAI's embedding models; longer inputs are rejected.
const MAX_INPUT_CHARS = 8191 * CHARS_PER_TOKEN;

/**
 * Any OpenAI-compatible `/embeddings` endpoint. Splits a call into requests by input count and an
 * estimated token budget, retries transient failures (429, 5xx, timeouts, connection errors) with
 * exponential backoff and full jitter, honouring `Retry-After`, and fails with an error naming the
 * status and the attempts. The API key goes in the Authorization header only, never into an
 * error message or log line.
 */
export function createOpenAiEmbedder(options: OpenAiEmbedderOptions): EmbeddingProvider {
  const endpoint = `${options.baseUrl.replace(/\/+$/, '')}/embeddings`;
  const maxRetries = options.maxRetries ?? 4;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const retryMaxDelayMs = options.retryMaxDelayMs ?? 30_000;
  // Plain fetch, not the outbound guard (lib/net): OPENAI_BASE_URL is the operator's configuration,
  // not user input, and a model server on loopback or the studio network is a legitimate choice.
  const doFetch = options.fetch ?? fetch;
  // text-embedding-3-* can shorten their vectors to the column's dimension; older models and most
  // self-hosted servers reject the parameter, so it is only sent to the models that accept it.
  const sendDimensions = /^text-embedding-3/.test(options.model);

  async function request(inputs: string[], signal?: AbortSignal): Promise<EmbedResult> {
    const body = JSON.stringify({
      model: options.model,
      input: inputs,
      encoding_format: 'float',
      ...(sendDimensions ? { dimensions: options.dimension } : {}),
    });
    let attempt = 0;
    for (;;) {
      attempt++;
      let retryAfterMs: number | undefined;
      let failure: { message: string; status?: number; retryable: boolean };
      try {
        const timeout = AbortSignal.timeout(options.timeoutMs);
        const response = await doFetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${options.apiKey}`,
          },
          body,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        if (response.ok) {
          return parseResponse(await response.json(), inputs, options.dimension);
        }
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        const excerpt = (await response.text().catch(() => '')).slice(0, 300);
        failure = {
          status: response.status,
          retryable: response.status === 429 || response.status >= 500,
          message: `HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`,
        };
      } catch (error) {
        if (signal?.aborted) throw error;
        if (error instanceof EmbeddingProviderError) throw error;
        const timedOut = error instanceof Error && error.name === 'TimeoutError';
        failure = {
          retryable: true,
          message: timedOut
            ? `timed out after ${options.timeoutMs} ms`
            : `network error: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
      if (!failure.retryable || attempt > maxRetries) {
        throw new EmbeddingProviderError(
          `embeddings request to ${endpoint} failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${failure.message}`,
          { status: failure.status, attempts: attempt, retryable: failure.retryable },
        );
      }
      const backoff = Math.random() * retryBaseMs * 2 ** (attempt - 1);
      await sleep(Math.min(retryMaxDelayMs, Math.max(retryAfterMs ?? 0, backoff)), undefined, {
        signal,
      });
    }
  }

  return {
    name: 'openai',
    model: options.model,
    dimension: options.dimension,
    maxBatchInputs: options.maxInputs,
    async embed(texts, { signal } = {}) {
      const vectors: number[][] = [];
      let tokens = 0;
      for (const batch of splitByBudget(texts.map(clipInput), options.maxInputs)) {
        const result = await request(batch, signal);
        vectors.push(...result.vectors);
        tokens += result.tokens;
      }
      return { vectors, tokens };
    },
  };
}

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

function clipInput(text: string): string {
  // An empty input is a 400 from OpenAI; a single space embeds as "nothing" instead.
  if (text.trim() === '') return ' ';
  return text.length > MAX_INPUT_CHARS ? text.slice(0, MAX_INPUT_CHARS) : text;
}

export function splitByBudget(texts: string[], maxInputs: number): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let currentTokens = 0;
  for (const text of texts) {
    const tokens = estimateTokens(text);
    if (
      current.length > 0 &&
      (current.length >= maxInputs || currentTokens + tokens > MAX_REQUEST_TOKENS)
    ) {
      batches.push(current);
      current = [];
      currentTokens = 0;
    }
    current.push(text);
    currentTokens += tokens;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseResponse(json: unknown, inputs: string[], dimension: number): EmbedResult {
  const expected = inputs.length;
  const body = json as {
    data?: { index?: number; embedding?: unknown }[];
    usage?: { total_tokens?: number };
  };
  if (!Array.isArray(body.data) || body.data.length !== expected) {
    throw new EmbeddingProviderError(
      `embeddings response has ${Array.isArray(body.data) ? body.data.length : 'no'} vectors for ${expected} inputs`,
      { attempts: 1, retryable: false },
    );
  }
  const vectors = new Array<number[]>(expected);
  body.data.forEach((item, position) => {
    const embedding = item.embedding;
    if (!Array.isArray(embedding) || embedding.length !== dimension) {
      throw new EmbeddingProviderError(
        `embeddings response vector has ${Array.isArray(embedding) ? embedding.length : 'no'} dimensions, ` +
          `EMBEDDING_DIM is ${dimension}`,
        { attempts: 1, retryable: false },
      );
    }
    vectors[item.index ?? position] = embedding as number[];
  });
  // A server that reports no usage is still billed against the run's budget, by estimate.
  const estimated = inputs.reduce((sum, text) => sum + estimateTokens(text), 0);
  return { vectors, tokens: body.usage?.total_tokens ?? estimated };
}
