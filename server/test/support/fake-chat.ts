import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One numbered evidence item as the prompt wrapped it, read back by a script. */
export interface PromptEvidence {
  n: number;
  id: string;
  text: string;
}

export interface FakeChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  maxTokens: number | undefined;
  stream: boolean;
  authorization: string | undefined;
  evidence: PromptEvidence[];
  question: string;
}

/**
 * What the next request gets, consumed in order; with none scripted, requests get
 * `defaultAnswer`. An answer is streamed in pieces as the real API does (SSE
 * `chat.completion.chunk`s, a usage chunk, `[DONE]`).
 */
export type FakeChatScript =
  | {
      kind: 'answer';
      /** The answer text, or a function of the request (to cite by the evidence it was given). */
      text: string | ((request: FakeChatRequest) => string);
      /** Characters per streamed piece (default 12). */
      pieceChars?: number;
      /** Delay before each piece after the first (default 0): the slow mode. */
      pieceDelayMs?: number;
      usage?: { prompt_tokens: number; completion_tokens: number };
    }
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  | { kind: 'hang' }
  /** Sends `pieces` pieces of the answer, then stops sending without ending the response. */
  | { kind: 'stall'; text: string; pieces: number }
  /** Sends some pieces, then destroys the connection. */
  | { kind: 'cut'; text: string; pieces: number };

export interface FakeChat {
  /** Base URL including /v1, as OPENAI_BASE_URL takes it. */
  baseUrl: string;
  requests: FakeChatRequest[];
  /** Every HTTP request, faulted ones included. */
  hits: number;
  /** Streams that the client closed before the fake had finished sending. */
  aborted: number;
  /** Streams the fake sent to the end. */
  completed: number;
  script(...scripts: FakeChatScript[]): void;
  defaultAnswer: FakeChatScript;
  /** Resolves once `count` streams in all were closed early by the client (the abort arrived). */
  waitForAborts(count: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A scripted OpenAI-compatible chat-completions server over real HTTP on loopback, for Ask's
 * tests and evaluation: answers with wrong citations, invented ids, numbers that are not in the
 * evidence, a sentence obeying an instruction planted in a message, and slow or failing
 * responses (429 with Retry-After, 500, a hang, a stall mid-answer, a cut connection).
 */
export async function startFakeChat(options: { apiKey?: string } = {}): Promise<FakeChat> {
  const scripts: FakeChatScript[] = [];
  const open = new Set<ServerResponse>();
  const abortWaiters: { count: number; wake: () => void }[] = [];
  const state: FakeChat = {
    baseUrl: '',
    requests: [],
    hits: 0,
    aborted: 0,
    completed: 0,
    defaultAnswer: { kind: 'answer', text: 'Nothing to add.' },
    script: (...more) => void scripts.push(...more),
    waitForAborts: (count) =>
      state.aborted >= count
        ? Promise.resolve()
        : new Promise((wake) => abortWaiters.push({ count, wake: () => wake() })),
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server: Server = createServer((req, res) => void handle(req, res));

  async function handle(req: IncomingMessage, res: ServerResponse) {
    state.hits++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      return send(res, 404, { error: { message: 'not found' } });
    }
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return send(res, 401, { error: { message: 'Incorrect API key provided' } });
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      model: string;
      messages: { role: string; content: string }[];
      max_tokens?: number;
      stream?: boolean;
    };
    const user = body.messages.find((m) => m.role === 'user')?.content ?? '';
    const request: FakeChatRequest = {
      model: body.model,
      messages: body.messages,
      maxTokens: body.max_tokens,
      stream: body.stream === true,
      authorization: req.headers.authorization,
      evidence: parseEvidence(user),
      question: /^Question: (.*)$/mu.exec(user)?.[1] ?? '',
    };
    state.requests.push(request);
    const script = scripts.shift() ?? state.defaultAnswer;
    if (script.kind === 'status') {
      if (script.retryAfter !== undefined) res.setHeader('retry-after', script.retryAfter);
      return send(res, script.status, {
        error: { message: script.body ?? `fault ${script.status}` },
      });
    }
    open.add(res);
    let finished = false;
    res.on('close', () => {
      open.delete(res);
      if (!finished) {
        state.aborted++;
        for (const waiter of [...abortWaiters]) {
          if (state.aborted < waiter.count) continue;
          abortWaiters.splice(abortWaiters.indexOf(waiter), 1);
          waiter.wake();
        }
      }
    });
    if (script.kind === 'hang') return;

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const text =
      script.kind === 'answer'
        ? typeof script.text === 'function'
          ? script.text(request)
          : script.text
        : script.text;
    const size = script.kind === 'answer' ? (script.pieceChars ?? 12) : 12;
    const pieces = [...chunkText(text, size)];
    const limit = script.kind === 'answer' ? pieces.length : script.pieces;
    const delay = script.kind === 'answer' ? (script.pieceDelayMs ?? 0) : 0;
    for (const [i, piece] of pieces.slice(0, limit).entries()) {
      if (i > 0 && delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (res.destroyed) return;
      res.write(chunkEvent({ content: piece }, null));
    }
    if (script.kind === 'stall') return;
    if (script.kind === 'cut') {
      // Let the pieces reach the client first: destroy() drops what is still buffered.
      await new Promise((resolve) => setTimeout(resolve, 50));
      res.destroy();
      return;
    }
    res.write(chunkEvent({}, 'stop'));
    const usage = script.usage ?? { prompt_tokens: 100, completion_tokens: 20 };
    res.write(
      `data: ${JSON.stringify({
        id: 'chatcmpl-fake',
        object: 'chat.completion.chunk',
        choices: [],
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      })}\n\n`,
    );
    res.write('data: [DONE]\n\n');
    finished = true;
    state.completed++;
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}/v1`;
  return state;
}

function chunkEvent(delta: { content?: string }, finishReason: string | null): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'fake',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  })}\n\n`;
}

function* chunkText(text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/** The evidence items of the prompt, unescaped, as a model would read them. */
export function parseEvidence(prompt: string): PromptEvidence[] {
  const items: PromptEvidence[] = [];
  for (const m of prompt.matchAll(
    /<evidence n="(\d+)" id="([^"]+)"[^>]*>\n([\s\S]*?)\n<\/evidence>/gu,
  )) {
    items.push({
      n: Number(m[1]),
      id: m[2]!,
      text: m[3]!
        .replaceAll('&lt;', '<')
        .replaceAll('&gt;', '>')
        .replaceAll('&quot;', '"')
        .replaceAll('&amp;', '&'),
    });
  }
  return items;
}

/** The number of the evidence item whose text includes `needle` (scripts cite by content). */
export function evidenceNumber(request: FakeChatRequest, needle: string): number {
  const item = request.evidence.find((e) => e.text.includes(needle));
  if (!item) throw new Error(`no evidence item holds "${needle}"`);
  return item.n;
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
