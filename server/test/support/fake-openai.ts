import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { embedText } from '../../src/modules/rag/embeddings/local-embedder.js';

/** What the next request gets; scripted faults are consumed in order, then requests succeed. */
export type FakeOpenAiFault =
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'wrong-dimension' };

export interface FakeOpenAiRequest {
  model: string;
  inputs: string[];
  dimensions?: number;
  authorization: string | undefined;
}

export interface FakeOpenAi {
  /** Base URL including /v1, as OPENAI_BASE_URL takes it. */
  baseUrl: string;
  requests: FakeOpenAiRequest[];
  /** Every HTTP request, including faulted ones. */
  hits: number;
  fail(...faults: FakeOpenAiFault[]): void;
  /** Fails every request whose inputs include `text`, as a provider rejecting one bad input. */
  rejectInputContaining(text: string | undefined): void;
  close(): Promise<void>;
}

/**
 * A small OpenAI-compatible embeddings server over real HTTP. Vectors come from the offline
 * embedder at the requested dimension, so search over them behaves like the real thing.
 */
export async function startFakeOpenAi(options: {
  dimension: number;
  apiKey?: string;
}): Promise<FakeOpenAi> {
  const faults: FakeOpenAiFault[] = [];
  const hanging = new Set<ServerResponse>();
  let poison: string | undefined;
  const state: FakeOpenAi = {
    baseUrl: '',
    requests: [],
    hits: 0,
    fail: (...more) => void faults.push(...more),
    rejectInputContaining: (text) => void (poison = text),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    state.hits++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
      return send(res, 404, { error: { message: 'not found' } });
    }
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return send(res, 401, { error: { message: 'Incorrect API key provided' } });
    }
    const fault = faults.shift();
    if (fault?.kind === 'hang') {
      hanging.add(res);
      return;
    }
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      if (fault.retryAfter !== undefined) res.setHeader('retry-after', fault.retryAfter);
      return send(res, fault.status, { error: { message: fault.body ?? `fault ${fault.status}` } });
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      model: string;
      input: string[] | string;
      dimensions?: number;
    };
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    state.requests.push({
      model: body.model,
      inputs,
      dimensions: body.dimensions,
      authorization: req.headers.authorization,
    });
    if (poison !== undefined && inputs.some((input) => input.includes(poison!))) {
      return send(res, 400, { error: { message: 'input rejected by policy' } });
    }
    const dimension = fault?.kind === 'wrong-dimension' ? options.dimension + 1 : options.dimension;
    send(res, 200, {
      object: 'list',
      model: body.model,
      data: inputs.map((input, index) => ({
        object: 'embedding',
        index,
        embedding: embedText(input, dimension),
      })),
      usage: { prompt_tokens: inputs.length * 10, total_tokens: inputs.length * 10 },
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}/v1`;
  return state;
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
