import { setTimeout as sleep } from 'node:timers/promises';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Config } from '../../../config.js';
import { parseRetryAfter } from '../embeddings/openai-embedder.js';

/**
 * A streaming client of any OpenAI-compatible `/chat/completions` endpoint (OpenAI, vLLM, Ollama,
 * llama.cpp, LiteLLM …), on `fetch` like the embeddings client beside it, with the SSE framing
 * parsed by `eventsource-parser`. Not the `openai` package: its current major needs Node 22 and
 * this server supports 20.19, and Ask needs what it would hide: which attempt failed how, and a
 * timeout between streamed pieces rather than for the whole answer.
 *
 * - Retries 429 and 5xx (honouring Retry-After, seconds or an HTTP date), timeouts and
 *   connection errors, but only before the first piece of text arrives: after that a retry
 *   would write the answer twice, so a failure ends the answer with an error.
 * - `timeoutMs` bounds the wait for the response and then each gap between two pieces, so a
 *   server that stops sending mid-answer fails as surely as one that never answers.
 * - The caller's signal aborts the HTTP request itself: a client that goes away stops the model.
 * - The key goes in the Authorization header only, never into an error message or log line.
 */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export type ChatPiece =
  | { type: 'text'; text: string }
  | { type: 'usage'; promptTokens: number; completionTokens: number };

export interface ChatProvider {
  readonly model: string;
  stream(
    request: { messages: ChatMessage[]; maxTokens: number },
    options: { signal: AbortSignal },
  ): AsyncGenerator<ChatPiece>;
}

export type ChatErrorCode = 'provider_rate_limited' | 'provider_timeout' | 'provider_error';

/** A model call that failed for good; `retryAfterMs` when the provider said when to come back. */
export class ChatProviderError extends Error {
  constructor(
    readonly code: ChatErrorCode,
    message: string,
    readonly details: { status?: number; attempts: number; retryAfterMs?: number },
  ) {
    super(message);
    this.name = 'ChatProviderError';
  }
}

export interface OpenAiChatOptions {
  /** Up to and including `/v1`. */
  baseUrl: string;
  /** Optional: self-hosted servers often need none. */
  apiKey?: string;
  model: string;
  timeoutMs: number;
  /** Retries after the first attempt. */
  maxRetries?: number;
  retryBaseMs?: number;
  /**
   * A Retry-After longer than this is not waited for: the question fails at once, telling the
   * caller when to ask again, instead of holding a person's request for minutes.
   */
  maxRetryWaitMs?: number;
  fetch?: typeof fetch;
}

// Two retries: enough to ride out a blip, few enough that a person waiting on an answer hears
// about an outage within seconds.
const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_RETRY_BASE_MS = 500;
const DEFAULT_MAX_RETRY_WAIT_MS = 10_000;

class AttemptTimeout extends Error {}

/** `ASK_PROVIDER=openai` selects the model; unset means the offline extractive answer (null). */
export function createChatProvider(config: Config): ChatProvider | null {
  if (config.ASK_PROVIDER !== 'openai') return null;
  return createOpenAiChat({
    baseUrl: config.OPENAI_BASE_URL,
    apiKey: config.OPENAI_API_KEY,
    model: config.ASK_MODEL,
    timeoutMs: config.ASK_TIMEOUT_MS,
  });
}

export function createOpenAiChat(options: OpenAiChatOptions): ChatProvider {
  const endpoint = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const retryBaseMs = options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
  const maxRetryWaitMs = options.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS;
  const doFetch = options.fetch ?? fetch;

  return {
    model: options.model,
    async *stream({ messages, maxTokens }, { signal }) {
      const body = JSON.stringify({
        model: options.model,
        messages,
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: maxTokens,
        // Answers are read against their evidence: the most likely wording is the one wanted.
        temperature: 0,
      });
      let attempt = 0;
      for (;;) {
        attempt++;
        const controller = new AbortController();
        let timer: NodeJS.Timeout | undefined;
        const arm = () => {
          clearTimeout(timer);
          timer = setTimeout(() => controller.abort(new AttemptTimeout()), options.timeoutMs);
        };
        let wrote = false;
        let failure: ChatProviderError;
        try {
          arm();
          const response = await doFetch(endpoint, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              accept: 'text/event-stream',
              ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
            },
            body,
            signal: AbortSignal.any([signal, controller.signal]),
          });
          if (!response.ok) {
            const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
            const excerpt = (await response.text().catch(() => '')).slice(0, 300);
            const status = response.status;
            const retryable = status === 429 || status >= 500;
            failure = new ChatProviderError(
              status === 429 ? 'provider_rate_limited' : 'provider_error',
              `chat request to ${endpoint} failed after ${plural(attempt, 'attempt')}: HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`,
              { status, attempts: attempt, retryAfterMs },
            );
            if (!retryable) throw failure;
          } else if (!response.body) {
            throw new ChatProviderError('provider_error', 'chat response has no body', {
              attempts: attempt,
            });
          } else {
            for await (const piece of readStream(response.body, arm)) {
              wrote ||= piece.type === 'text';
              yield piece;
            }
            return;
          }
        } catch (error) {
          if (signal.aborted) throw signal.reason ?? error;
          if (error instanceof ChatProviderError) throw withAttempts(error, attempt);
          const timedOut = controller.signal.reason instanceof AttemptTimeout;
          failure = new ChatProviderError(
            timedOut ? 'provider_timeout' : 'provider_error',
            timedOut
              ? `chat request to ${endpoint} ${wrote ? 'stopped sending for' : 'gave no answer in'} ${options.timeoutMs} ms (attempt ${attempt})`
              : `chat request to ${endpoint} failed (attempt ${attempt}): ${error instanceof Error ? error.message : String(error)}`,
            { attempts: attempt },
          );
          // Text already went out: a new attempt would repeat it.
          if (wrote) throw failure;
        } finally {
          clearTimeout(timer);
          // Leaving early (the consumer stopped, or an error) must not leave the request open.
          controller.abort();
        }
        const waitMs = failure.details.retryAfterMs;
        if (attempt > maxRetries || (waitMs !== undefined && waitMs > maxRetryWaitMs)) {
          throw failure;
        }
        const backoff = Math.random() * retryBaseMs * 2 ** (attempt - 1);
        await sleep(Math.max(waitMs ?? 0, backoff), undefined, { signal });
      }
    },
  };
}

/**
 * The SSE body as pieces: `data: {chunk}` lines until `data: [DONE]`. `onProgress` re-arms the
 * gap timeout at every network read. A body that ends before `[DONE]` or a finish reason was cut
 * off, and fails rather than passing for a whole answer.
 */
async function* readStream(
  body: ReadableStream<Uint8Array>,
  onProgress: () => void,
): AsyncGenerator<ChatPiece> {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const decoder = new TextDecoder();
  let finished = false;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    onProgress();
    parser.feed(decoder.decode(value, { stream: true }));
    for (const event of events.splice(0)) {
      if (event.data === '[DONE]') return;
      const chunk = parseChunk(event.data);
      if (chunk.error) {
        throw new ChatProviderError('provider_error', `chat stream error: ${chunk.error}`, {
          attempts: 1,
        });
      }
      if (chunk.text) yield { type: 'text', text: chunk.text };
      if (chunk.usage) yield { type: 'usage', ...chunk.usage };
      finished ||= chunk.finished;
    }
  }
  if (!finished) {
    throw new ChatProviderError('provider_error', 'chat stream ended before the answer did', {
      attempts: 1,
    });
  }
}

function parseChunk(data: string): {
  text?: string;
  usage?: { promptTokens: number; completionTokens: number };
  finished: boolean;
  error?: string;
} {
  let json: {
    choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
    usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
    error?: { message?: string };
  };
  try {
    json = JSON.parse(data) as typeof json;
  } catch {
    return { finished: false, error: 'a chunk is not JSON' };
  }
  if (json.error) return { finished: false, error: json.error.message ?? 'unknown' };
  const choice = json.choices?.[0];
  return {
    text: choice?.delta?.content ?? undefined,
    usage: json.usage
      ? {
          promptTokens: json.usage.prompt_tokens ?? 0,
          completionTokens: json.usage.completion_tokens ?? 0,
        }
      : undefined,
    finished: Boolean(choice?.finish_reason),
  };
}

function withAttempts(error: ChatProviderError, attempts: number): ChatProviderError {
  return error.details.attempts === attempts
    ? error
    : new ChatProviderError(error.code, error.message, { ...error.details, attempts });
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
