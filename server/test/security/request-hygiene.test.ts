import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { signInWithProject, type Session } from '../support/factories.js';

/**
 * Every error in the envelope, and every request string Postgres can store: the rules live in
 * the app's wiring (http/envelope.ts, http/validation.ts), so they hold for routes added later.
 */

const ctx = useTestApp({ BODY_LIMIT_BYTES: '4096' });
let session: Session;
let projectId: string;
beforeAll(async () => {
  const signedIn = await signInWithProject(ctx.app, ctx.database);
  session = signedIn.session;
  projectId = signedIn.project.projectId;
});

function expectEnvelope(res: LightMyRequestResponse, status: number, error: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json();
  expect(body).toMatchObject({ ok: false, error, request_id: expect.any(String) });
  expect(res.headers['x-request-id']).toBe(body.request_id);
  // helmet's headers, as on every other response.
  expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  return body as { message: string; details?: { fields: { field: string; message: string }[] } };
}

describe('framework errors go through the envelope', () => {
  it('answers an over-long path parameter with 414 uri_too_long, without echoing the URL', async () => {
    const long = 'x'.repeat(5000);
    const res = await session.request('GET', `/conversations/${long}`);
    expectEnvelope(res, 414, 'uri_too_long');
    expect(res.body).not.toContain(long.slice(0, 200));
  });

  it('answers a malformed percent-encoding with 400 naming the URL, without echoing it', async () => {
    const res = await session.request('GET', '/conversations/%E0%A4%A-marker');
    const body = expectEnvelope(res, 400, 'validation_error');
    expect(body.details?.fields[0]?.field).toBe('url');
    expect(res.body).not.toContain('marker');
  });

  it('answers a body over BODY_LIMIT_BYTES with 413 payload_too_large', async () => {
    const res = await session.request('POST', '/search', { query: 'x'.repeat(5000) });
    expectEnvelope(res, 413, 'payload_too_large');
  });

  it('accepts an empty application/json body on a route that takes no body', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/projects/${projectId}/select`,
      headers: { ...session.headers, 'content-type': 'application/json' },
      payload: '',
    });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('still refuses an empty body where one is required', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/search',
      headers: { ...session.headers, 'content-type': 'application/json' },
      payload: '',
    });
    expect(expectEnvelope(res, 400, 'validation_error').details?.fields[0]?.field).toBe('body');
  });
});

describe('bodies are not coerced; querystrings are', () => {
  it.each([
    ['/search', { query: 123 }, 'query'],
    ['/auth/login', { username: 1, password: 'correct horse battery' }, 'username'],
    ['/projects', { name: true }, 'name'],
    ['/search', { query: 'brief', topK: '5' }, 'topK'],
  ])('POST %s %j is 400 naming %s', async (url, body, field) => {
    const res = await session.request('POST', url, body);
    expect(expectEnvelope(res, 400, 'validation_error').details?.fields[0]?.field).toBe(field);
  });

  it('still reads ?limit=5 as the number 5', async () => {
    const res = await session.request('GET', '/conversations?limit=5');
    expect(res.statusCode, res.body).toBe(200);
  });
});

describe('names must say something', () => {
  it.each([
    ['POST', '/projects', { name: '   ' }, 'name'],
    ['POST', '/projects', { name: 'ok name', account_scope_name: '\t \n' }, 'account_scope_name'],
    ['PATCH', '/projects/:id', { name: ' \u00a0 ' }, 'name'],
    ['POST', '/auth/login', { username: '  ', password: 'correct horse battery' }, 'username'],
    ['POST', '/search', { query: '   ' }, 'query'],
  ] as const)('%s %s %j is 400: %s must not be blank', async (method, url, body, field) => {
    const res = await session.request(method, url.replace(':id', projectId), body);
    expect(expectEnvelope(res, 400, 'validation_error').details?.fields[0]).toEqual({
      field,
      message: 'must not be blank',
    });
  });
});

describe('NUL in a request string', () => {
  it.each([
    ['a path parameter', 'GET', '/conversations/a%00b', undefined, 'id'],
    ['a query string', 'GET', '/evidence/search?q=a%00b', undefined, 'q'],
    [
      'a login username',
      'POST',
      '/auth/login',
      { username: 'a\u0000b', password: 'x' },
      'username',
    ],
    [
      'a search filter',
      'POST',
      '/search',
      { query: 'q', filters: { sender_type: 'C\u0000' } },
      'filters.sender_type',
    ],
    [
      'a property name',
      'POST',
      '/outbound/draft',
      {
        channel: 'email',
        recipient_ref: 'r',
        idempotency_key: 'k',
        payload: { content: 'x' },
        evidence_refs: [{ source: 'external', ref: 'r', meta: { 'a\u0000': 1 } }],
      },
      'evidence_refs.0.meta',
    ],
    ['an unpaired surrogate', 'POST', '/projects', { name: 'ab\ud800' }, 'name'],
  ] as const)('in %s is 400 naming the field', async (_what, method, url, body, field) => {
    const res = await session.request(method, url, body);
    const error = expectEnvelope(res, 400, 'validation_error');
    expect(error.details?.fields[0]?.field).toBe(field);
    expect(error.details?.fields[0]?.message).toMatch(/NUL|Unicode/);
  });
});

/**
 * The sweep: a NUL-bearing string in every string field (path, query and body, nested ones
 * included) of every route in the OpenAPI document is a 400 naming that field with a request id,
 * never a 500. A route added later is swept without anyone editing this test.
 */
describe('the NUL sweep over the OpenAPI document', () => {
  type Schema = {
    type?: string | string[];
    properties?: Record<string, Schema>;
    items?: Schema;
    anyOf?: Schema[];
    oneOf?: Schema[];
    allOf?: Schema[];
    enum?: unknown[];
    additionalProperties?: boolean | Schema;
    patternProperties?: Record<string, Schema>;
    $ref?: string;
  };
  type Probe = { method: string; url: string; body?: unknown; field: string };
  const NUL = 'nul\u0000here';

  /** Every way to put a NUL string in a value of this schema: [path, value]. */
  function stringLeaves(schema: Schema, components: Record<string, Schema>): [string[], unknown][] {
    if (schema.$ref) return stringLeaves(components[schema.$ref.split('/').pop()!]!, components);
    const branches = [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])];
    if (branches.length > 0) {
      const seen = new Map<string, [string[], unknown]>();
      for (const branch of branches)
        for (const leaf of stringLeaves(branch, components)) seen.set(leaf[0].join('.'), leaf);
      return [...seen.values()];
    }
    const types = [schema.type ?? []].flat();
    if (types.includes('string') || (schema.enum && schema.enum.some((v) => typeof v === 'string')))
      return [[[], NUL]];
    if (types.includes('array') && schema.items)
      return stringLeaves(schema.items, components).map(([path, value]) => [
        ['0', ...path],
        [value],
      ]);
    if (types.includes('object') || schema.properties) {
      const leaves: [string[], unknown][] = [];
      for (const [name, property] of Object.entries(schema.properties ?? {}))
        for (const [path, value] of stringLeaves(property, components))
          leaves.push([[name, ...path], { [name]: value }]);
      // Free-form maps (e.g. evidence meta): a NUL value and a NUL key.
      if (schema.additionalProperties || schema.patternProperties) {
        leaves.push([['k'], { k: NUL }]);
        leaves.push([[], { [NUL]: 'v' }]);
      }
      return leaves;
    }
    return [];
  }

  const VALID_UUID = '00000000-0000-4000-8000-000000000000';

  async function probes(): Promise<Probe[]> {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: { in: string; name: string; schema: Schema }[];
            requestBody?: { content: Record<string, { schema: Schema }> };
          }
        >
      >;
      components?: { schemas?: Record<string, Schema> };
    };
    const components = doc.components?.schemas ?? {};
    const result: Probe[] = [];
    for (const [template, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const params = operation.parameters ?? [];
        // A project named in the path is the caller's own, so the probe reaches the schema of
        // the rest (another project's id is a 404 before any body is read).
        const pathWith = (name?: string) =>
          template.replace(/\{(\w+)\}/g, (_m, p: string) =>
            p === name
              ? encodeURIComponent(NUL)
              : p === 'id' && template.startsWith('/projects/')
                ? projectId
                : VALID_UUID,
          );
        for (const param of params) {
          if (param.in === 'path')
            result.push({ method, url: pathWith(param.name), field: param.name });
          if (param.in === 'query' && stringLeaves(param.schema, components).length > 0)
            result.push({
              method,
              url: `${pathWith()}?${param.name}=${encodeURIComponent(NUL)}`,
              field: param.name,
            });
        }
        const body = operation.requestBody?.content['application/json']?.schema;
        for (const [path, value] of body ? stringLeaves(body, components) : [])
          result.push({ method, url: pathWith(), body: value, field: path.join('.') || 'body' });
      }
    }
    return result;
  }

  it(
    'finds a 400 naming the field, with a request id, on every route',
    { timeout: 120_000 },
    async () => {
      const all = await probes();
      // Enough to know the walk reached bodies, queries and params of the whole API.
      expect(all.length).toBeGreaterThan(60);
      const failures: string[] = [];
      for (const probe of all) {
        const res = await session.request(
          probe.method.toUpperCase() as 'GET',
          probe.url,
          probe.body,
        );
        const body = res.json();
        const field = body.details?.fields?.[0]?.field;
        if (
          res.statusCode !== 400 ||
          body.error !== 'validation_error' ||
          !body.request_id ||
          res.headers['x-request-id'] !== body.request_id ||
          field !== probe.field
        )
          failures.push(
            `${probe.method} ${probe.url} ${JSON.stringify(probe.body)} → ${res.statusCode} ${res.body}`,
          );
      }
      expect(failures).toEqual([]);
    },
  );
});
