import { readFileSync } from 'node:fs';
import { startAttioSim, type AttioSim } from '@cairn/attio-sim';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createGuardedHttp } from '../../../src/lib/net/guarded-http.js';
import { AttioClient } from '../../../src/modules/connectors/attio/client.js';
import {
  attioList,
  attioListEntry,
  attioMember,
  attioNote,
  attioRecord,
  attioSelf,
  attioTask,
  attioValue,
  listOf,
  oneOf,
  VALUE_SCHEMAS,
} from '../../../src/modules/connectors/attio/payloads.js';
import { LOOPBACK } from '../../support/constants.js';
import type { Json } from './harness.js';

/**
 * The client's response parsing (connectors/attio/payloads.ts) against Attio's own OpenAPI
 * document (shared/reference/attio/openapi.yaml, the copy in tools/attio-sim/reference):
 *
 * 1. Statically, for every endpoint the client calls: each field our zod shapes read exists in
 *    the document's response schema, with a compatible type; a field the document does not
 *    require is optional in ours, one it allows to be null is nullable in ours, and a constant we
 *    expect is one of the document's values. A shape that drifts from the document fails here.
 * 2. Against real responses of the simulator (whose own contract test validates it against the
 *    same document, tools/attio-sim/test/contract.test.ts): each response validates against the
 *    document with ajv and parses with our shapes.
 */

const DOC = parse(
  readFileSync(
    new URL('../../../../tools/attio-sim/reference/openapi.yaml', import.meta.url),
    'utf8',
  ),
) as Json;

// The endpoints the client calls, and the shape it reads each with.
const ENDPOINTS: [path: string, method: string, shape: z.ZodType][] = [
  ['/v2/self', 'get', attioSelf],
  ['/v2/objects/{object}/records/query', 'post', listOf(attioRecord)],
  ['/v2/objects/{object}/records/{record_id}', 'get', oneOf(attioRecord)],
  ['/v2/notes', 'get', listOf(attioNote)],
  ['/v2/notes/{note_id}', 'get', oneOf(attioNote)],
  ['/v2/tasks', 'get', listOf(attioTask)],
  ['/v2/tasks/{task_id}', 'get', oneOf(attioTask)],
  ['/v2/workspace_members', 'get', listOf(attioMember)],
  ['/v2/workspace_members/{workspace_member_id}', 'get', oneOf(attioMember)],
  ['/v2/lists/{list}', 'get', oneOf(attioList)],
  ['/v2/lists/{list}/entries/query', 'post', listOf(attioListEntry)],
];

function responseSchema(path: string, method: string): Json {
  const schema = DOC['paths'][path]?.[method]?.['responses']?.['200']?.['content']?.[
    'application/json'
  ]?.['schema'] as Json | undefined;
  if (!schema) throw new Error(`the document has no 200 JSON answer for ${method} ${path}`);
  return schema;
}

function deref(schema: Json): Json {
  let s = schema;
  while (typeof s['$ref'] === 'string') {
    const name = (s['$ref'] as string).replace('#/components/schemas/', '');
    s = DOC['components']['schemas'][name] as Json;
  }
  return s;
}

const typesOf = (s: Json): Set<string> => {
  const t = s['type'];
  const set = new Set<string>(Array.isArray(t) ? t : t ? [t] : []);
  if (s['nullable'] === true) set.add('null');
  return set;
};
const branchesOf = (s: Json): Json[] | null =>
  (s['oneOf'] as Json[] | undefined) ?? (s['anyOf'] as Json[] | undefined) ?? null;

/** Where `ours` (JSON Schema of a zod shape) reads what `theirs` does not promise; [] if none. */
export function mismatches(ours: Json, theirsRaw: Json, at = '(root)'): string[] {
  const theirs = deref(theirsRaw);
  const oursBranches = branchesOf(ours);
  if (oursBranches) {
    // Each of our alternatives must fit one of theirs (or theirs as a whole).
    return oursBranches.flatMap((b, i) => {
      const theirAlternatives = branchesOf(theirs) ?? [theirs];
      const fits = theirAlternatives.map((t) => mismatches(b, t, `${at}|${i}`));
      return fits.some((f) => f.length === 0) ? [] : fits.sort((a, b) => a.length - b.length)[0]!;
    });
  }
  const theirBranches = branchesOf(theirs);
  if (theirBranches) {
    // A value that may take any of their forms must be read correctly in each of them.
    return theirBranches.flatMap((t) => mismatches(ours, t, at));
  }
  const problems: string[] = [];
  const ourTypes = typesOf(ours);
  const theirTypes = typesOf(theirs);
  if (theirTypes.size > 0 && ourTypes.size > 0) {
    for (const t of theirTypes) {
      const integerAsNumber = t === 'integer' && ourTypes.has('number');
      if (!ourTypes.has(t) && !integerAsNumber)
        problems.push(`${at}: the document allows ${t}, ours reads ${[...ourTypes].join('|')}`);
    }
  }
  if (ours['const'] !== undefined && Array.isArray(theirs['enum'])) {
    if (!(theirs['enum'] as unknown[]).includes(ours['const']))
      problems.push(`${at}: ours expects ${String(ours['const'])}, not in the document's enum`);
  }
  if (ourTypes.has('object')) {
    const ourProps = (ours['properties'] ?? {}) as Record<string, Json>;
    const theirProps = (theirs['properties'] ?? {}) as Record<string, Json>;
    const theirRequired = new Set((theirs['required'] ?? []) as string[]);
    for (const key of (ours['required'] ?? []) as string[])
      if (!theirRequired.has(key))
        problems.push(`${at}.${key}: required by ours, optional in the document`);
    for (const [key, schema] of Object.entries(ourProps)) {
      if (!theirProps[key]) {
        problems.push(`${at}.${key}: not in the document`);
        continue;
      }
      problems.push(...mismatches(schema, theirProps[key], `${at}.${key}`));
    }
    const ourExtra = ours['additionalProperties'] as Json | undefined;
    const theirExtra = theirs['additionalProperties'] as Json | boolean | undefined;
    if (ourExtra && Object.keys(ourExtra).length > 0) {
      if (!theirExtra || typeof theirExtra !== 'object')
        problems.push(`${at}: ours reads a map, the document has none`);
      else problems.push(...mismatches(ourExtra, theirExtra, `${at}{}`));
    }
  }
  if (ourTypes.has('array') && ours['items'] && theirs['items'])
    problems.push(...mismatches(ours['items'] as Json, theirs['items'] as Json, `${at}[]`));
  return problems;
}

const jsonSchema = (shape: z.ZodType) => z.toJSONSchema(shape) as Json;

/** The document's schema of one attribute type's value (records query, values items). */
function valueVariant(type: string): Json {
  const values = responseSchema('/v2/objects/{object}/records/query', 'post')['properties']['data'][
    'items'
  ]['properties']['values']['additionalProperties']['items'];
  const variant = (values['oneOf'] as Json[]).find(
    (v) => (v['properties']['attribute_type']['enum'] as string[])[0] === type,
  );
  if (!variant) throw new Error(`the document has no ${type} value`);
  return variant;
}

describe('Attio client shapes against openapi.yaml', () => {
  it.each(ENDPOINTS)('%s (%s) reads only what the document promises', (path, method, shape) => {
    expect(mismatches(jsonSchema(shape), responseSchema(path, method))).toEqual([]);
  });

  it.each(Object.keys(VALUE_SCHEMAS))('the %s value is read as the document types it', (type) => {
    const shape = VALUE_SCHEMAS[type as keyof typeof VALUE_SCHEMAS];
    expect(mismatches(jsonSchema(shape), valueVariant(type))).toEqual([]);
  });

  it('the common value fields hold for every attribute type of the document', () => {
    const values = responseSchema('/v2/objects/{object}/records/query', 'post')['properties'][
      'data'
    ]['items']['properties']['values']['additionalProperties']['items'];
    expect((values['oneOf'] as Json[]).length).toBeGreaterThan(10);
    expect(mismatches(jsonSchema(attioValue), values)).toEqual([]);
  });

  it('the check catches drift: a field the document lacks, a missing null, a wrong type', () => {
    const note = deref(responseSchema('/v2/notes', 'get'))['properties']['data']['items'];
    const drifted = jsonSchema(
      attioNote.extend({ updated_at: z.string(), meeting_id: z.string(), title: z.number() }),
    );
    expect(mismatches(drifted, note)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\.updated_at: not in the document/),
        expect.stringMatching(/\.meeting_id: the document allows null/),
        expect.stringMatching(/\.title: the document allows string/),
      ]),
    );
    // Requiring what the document may omit (created_by_actor.id) is drift too.
    const strictActor = jsonSchema(
      attioNote.extend({ created_by_actor: z.object({ id: z.string().nullable() }) }),
    );
    expect(mismatches(strictActor, note)).toEqual([
      '(root).created_by_actor.id: required by ours, optional in the document',
    ]);
  });
});

describe('Attio client against real simulator responses', () => {
  let sim: AttioSim;
  const http = createGuardedHttp({ allowlist: LOOPBACK });
  beforeAll(async () => {
    sim = await startAttioSim({ size: 'tiny', seed: 'cairn-attio-contract' });
  });
  afterAll(async () => {
    await sim?.stop();
    await http.close();
  });

  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  // ajv-formats is CommonJS; its callable sits on .default under NodeNext typing.
  (formats as unknown as { default: (a: Ajv2020) => void }).default(ajv);
  // The document types a timestamp value as `format: date` although its own description and
  // example are date-times (the simulator's contract test makes the same correction).
  const components = correctedTimestamps(DOC['components']);

  function documentAccepts(path: string, method: string, body: unknown): string | null {
    const schema = correctedTimestamps(responseSchema(path, method));
    const validate = ajv.compile({ ...schema, components });
    return validate(body) ? null : JSON.stringify(validate.errors?.slice(0, 3));
  }

  it('every endpoint the client calls: the document accepts the answer, and so do our shapes', async () => {
    const seen: { path: string; method: string; body: unknown; shape: z.ZodType }[] = [];
    const recording = createGuardedHttp({ allowlist: LOOPBACK });
    const client = new AttioClient({
      baseUrl: sim.url,
      token: sim.token,
      timeoutMs: 5_000,
      maxRetries: 0,
      fetch: async (url, init) => {
        const response = await recording.fetch(url, init);
        const text = await response.text();
        const pathname = new URL(String(url)).pathname;
        const endpoint = ENDPOINTS.find(([p]) =>
          new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(pathname),
        );
        if (endpoint)
          seen.push({
            path: endpoint[0],
            method: endpoint[1],
            body: JSON.parse(text),
            shape: endpoint[2],
          });
        return new Response(text, { status: response.status, headers: response.headers });
      },
    });
    try {
      await client.self();
      for (const object of ['people', 'companies', 'deals'] as const) {
        const [first] = await client.queryRecords(object, { limit: 500, offset: 0 });
        await client.getRecord(object, first!.id.record_id);
      }
      const [note] = await client.listNotes({ limit: 50, offset: 0 });
      await client.getNote(note!.id.note_id);
      const [task] = await client.listTasks({ limit: 500, offset: 0 });
      await client.getTask(task!.id.task_id);
      const [member] = await client.listMembers();
      await client.getMember(member!.id.workspace_member_id);
      await client.getList('clients');
      await client.queryListEntries('clients', { limit: 500, offset: 0 });
    } finally {
      await recording.close();
    }
    expect(new Set(seen.map((s) => `${s.method} ${s.path}`)).size).toBe(ENDPOINTS.length);
    for (const { path, method, body, shape } of seen) {
      expect(documentAccepts(path, method, body), `${method} ${path}`).toBeNull();
      expect(shape.safeParse(body).success, `${method} ${path}`).toBe(true);
    }
  });
});

/** `format: date` on timestamp values becomes `date-time` (see above). */
function correctedTimestamps(schema: unknown): Json {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [key, value] of Object.entries(node as Json)) out[key] = walk(value);
    const props = out['properties'] as Json | undefined;
    if (
      props?.['attribute_type']?.['enum']?.[0] === 'timestamp' &&
      props['value']?.['format'] === 'date'
    )
      props['value'] = { ...props['value'], format: 'date-time' };
    return out;
  };
  return walk(schema) as Json;
}
