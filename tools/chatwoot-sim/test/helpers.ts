import { readFileSync } from 'node:fs';
import { startChatwootSim, type ChatwootSimOptions, type Sim } from '../src/index.js';

export const REFERENCE_DIR = new URL('../reference/', import.meta.url);

export function readReference<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, REFERENCE_DIR), 'utf8')) as T;
}

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function startTinySim(options: ChatwootSimOptions = {}): Promise<Sim> {
  return startChatwootSim({ size: 'tiny', seed: 'test', ...options });
}

/** GET or POST against the simulator's Application API with the sim's token. */
export async function api(
  sim: Sim,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<{ status: number; body: Json; headers: Headers; text: string }> {
  const headers: Record<string, string> = {
    api_access_token: sim.token,
    ...(init.headers as Record<string, string> | undefined),
  };
  let body = init.body;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  const response = await fetch(`${sim.url}${path}`, { ...init, headers, body });
  const text = await response.text();
  let parsed: Json = {};
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    parsed = {};
  }
  return { status: response.status, body: parsed, headers: response.headers, text };
}

export function accountPath(sim: Sim, rest: string): string {
  return `/api/v1/accounts/${sim.accountId}${rest}`;
}

/** Every conversation through the API, paging until a short page, as a client must. */
export async function crawlConversations(
  sim: Sim,
  query = 'status=all',
): Promise<{ pages: number; items: Json[] }> {
  const items: Json[] = [];
  for (let page = 1; ; page++) {
    const { status, body } = await api(
      sim,
      accountPath(sim, `/conversations?${query}&page=${page}`),
    );
    if (status !== 200) throw new Error(`page ${page}: ${status}`);
    const payload = body['data']['payload'] as Json[];
    items.push(...payload);
    if (payload.length < 25) return { pages: page, items };
  }
}

/** Every message of a conversation by backfilling with `before` until an empty page. */
export async function backfillMessages(sim: Sim, conversationId: number): Promise<Json[]> {
  const first = await api(sim, accountPath(sim, `/conversations/${conversationId}/messages`));
  let all = first.body['payload'] as Json[];
  let oldest = all[0]?.['id'] as number | undefined;
  while (oldest !== undefined) {
    const page = await api(
      sim,
      accountPath(sim, `/conversations/${conversationId}/messages?before=${oldest}`),
    );
    const payload = page.body['payload'] as Json[];
    if (payload.length === 0) break;
    all = [...payload, ...all];
    oldest = payload[0]!['id'] as number;
  }
  return all;
}
