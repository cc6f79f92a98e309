import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { startAttioSim, type AttioSim, type AttioSimOptions } from '../src/index.js';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let document: Json | null = null;
/** The Attio OpenAPI document, parsed once per test file. */
export function openapi(): Json {
  document ??= parse(
    readFileSync(new URL('../reference/openapi.yaml', import.meta.url), 'utf8'),
  ) as Json;
  return document;
}

export async function startTinySim(options: AttioSimOptions = {}): Promise<AttioSim> {
  return startAttioSim({ size: 'tiny', seed: 'test', ...options });
}

export interface ApiResult {
  status: number;
  body: Json;
  headers: Headers;
  text: string;
}

export async function api(
  sim: AttioSim,
  path: string,
  init: { method?: string; json?: unknown; token?: string | null } = {},
): Promise<ApiResult> {
  const headers: Record<string, string> = {};
  const token = init.token === undefined ? sim.token : init.token;
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${sim.url}${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await response.text();
  let body: Json = {};
  try {
    body = JSON.parse(text) as Json;
  } catch {
    body = {};
  }
  return { status: response.status, body, headers: response.headers, text };
}

/** Every record of an object through the records query, page by page, as a sync reads them. */
export async function queryAll(
  sim: AttioSim,
  object: string,
  body: Json = {},
  limit = 500,
): Promise<{ pages: number; records: Json[] }> {
  const records: Json[] = [];
  for (let pages = 1, offset = 0; ; pages++, offset += limit) {
    const result = await api(sim, `/v2/objects/${object}/records/query`, {
      json: { ...body, limit, offset },
    });
    if (result.status !== 200)
      throw new Error(`${object} @${offset}: ${result.status} ${result.text}`);
    records.push(...(result.body['data'] as Json[]));
    if (result.body['data'].length < limit) return { pages, records };
  }
}

/** Every note, 50 at a time (the most Attio gives). */
export async function allNotes(sim: AttioSim, query = ''): Promise<Json[]> {
  const notes: Json[] = [];
  for (let offset = 0; ; offset += 50) {
    const result = await api(sim, `/v2/notes?limit=50&offset=${offset}${query}`);
    if (result.status !== 200) throw new Error(`notes @${offset}: ${result.status} ${result.text}`);
    notes.push(...(result.body['data'] as Json[]));
    if (result.body['data'].length < 50) return notes;
  }
}

type Loose<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => R extends Promise<unknown> ? R : Json
    : T[K];
};

/** The control API with results typed loosely, for reading fields in assertions. */
export function ctl(sim: AttioSim): Loose<AttioSim['control']> {
  return sim.control as unknown as Loose<AttioSim['control']>;
}
