// @module-tag no-database
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAttioSim, type AttioSim } from '@cairn/attio-sim';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedHttp } from '../../../src/lib/net/guarded-http.js';
import {
  AttioApiError,
  AttioClient,
  type AttioClientOptions,
} from '../../../src/modules/connectors/attio/client.js';
import { LOOPBACK } from '../../support/constants.js';

let sim: AttioSim;
const http = createGuardedHttp({ allowlist: LOOPBACK });
beforeAll(async () => {
  sim = await startAttioSim({ size: 'tiny', seed: 'cairn-attio-client' });
});
afterEach(() => {
  sim.control.clearFaults();
  sim.control.clearRequests();
});
afterAll(async () => {
  await sim?.stop();
  await http.close();
});

const client = (options: Partial<AttioClientOptions> = {}) =>
  new AttioClient({
    fetch: http.fetch,
    baseUrl: sim.url,
    token: sim.token,
    timeoutMs: 2000,
    maxRetries: 3,
    retryBaseMs: 5,
    retryMaxMs: 20,
    rateLimitWaitMaxMs: 3_000,
    ...options,
  });

describe('Attio client against the simulator', () => {
  it('identifies the token with GET /v2/self', async () => {
    const self = await client().self();
    expect(self).toMatchObject({
      active: true,
      workspace_id: sim.workspaceId,
      workspace_slug: sim.workspaceSlug,
    });
  });

  it('pages records with limit and offset, in creation order', async () => {
    const api = client();
    const read: string[] = [];
    for (let offset = 0; ; offset += 7) {
      const page = await api.queryRecords('people', { limit: 7, offset });
      read.push(...page.map((r) => r.id.record_id));
      if (page.length < 7) break;
    }
    const truth = [...sim.control.groundTruth.records('people')] as {
      id: { record_id: string };
    }[];
    expect(read).toEqual(truth.map((r) => r.id.record_id));
  });

  it('never asks for more than 50 notes a page (the default would silently give 10)', async () => {
    const page = await client().listNotes({ limit: 500, offset: 0 });
    expect(page).toHaveLength(50);
    const [request] = sim.control.requests({ route: 'notes' });
    expect(new URL(request!.url, sim.url).searchParams.get('limit')).toBe('50');
  });

  it('filters notes by parent and tasks by linked record', async () => {
    const note = [...sim.control.groundTruth.notes()][0] as {
      parent_object: string;
      parent_record_id: string;
    };
    const parent = { object: note.parent_object, recordId: note.parent_record_id };
    const notes = await client().listNotes({ limit: 50, offset: 0 }, parent);
    expect(notes.length).toBeGreaterThan(0);
    expect(notes.every((n) => n.parent_record_id === note.parent_record_id)).toBe(true);
    const task = [...sim.control.groundTruth.tasks()].find(
      (t) => (t as { linked_records: unknown[] }).linked_records.length > 0,
    ) as { linked_records: { target_record_id: string }[] };
    const recordId = task.linked_records[0]!.target_record_id;
    const object = (['people', 'companies', 'deals'] as const).find((o) =>
      [...sim.control.groundTruth.records(o)].some(
        (r) => (r as { id: { record_id: string } }).id.record_id === recordId,
      ),
    )!;
    const tasks = await client().listTasks({ limit: 500, offset: 0 }, { object, recordId });
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.every((t) => t.linked_records.some((l) => l.target_record_id === recordId))).toBe(
      true,
    );
  });

  it('reads a deleted record, note or task as null (404)', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await client().getRecord('deals', missing)).toBeNull();
    expect(await client().getNote(missing)).toBeNull();
    expect(await client().getTask(missing)).toBeNull();
  });

  it('waits until the HTTP date a 429 names in Retry-After', async () => {
    sim.control.injectFault({ route: 'tasks', kind: '429', retryAfterSeconds: 2 });
    const delays: number[] = [];
    const api = client({ onRetry: (r) => delays.push(r.delayMs) });
    const page = await api.listTasks({ limit: 10, offset: 0 });
    expect(page).toHaveLength(10);
    // Two seconds ahead, the date rounded down to its whole second: at least one second away.
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(1000);
    expect(api.usage.rateLimited).toBe(1);
  });

  it('reads Retry-After as an HTTP date, or seconds, never an HTTP date as zero seconds', () => {
    const now = Date.parse('2023-05-23T14:42:00.400Z');
    const api = client({ now: () => now, rateLimitWaitMaxMs: 60_000 });
    const wait = api.retryAfterWait('Tue, 23 May 2023 14:42:01 GMT');
    expect(wait).toBeGreaterThanOrEqual(600);
    expect(wait).toBeLessThan(600 + 251);
    expect(api.retryAfterWait('Tue, 23 May 2023 14:42:31 GMT')).toBeGreaterThanOrEqual(30_600);
    expect(api.retryAfterWait('3')).toBeGreaterThanOrEqual(3000);
    // Capped.
    expect(
      client({ now: () => now, rateLimitWaitMaxMs: 500 }).retryAfterWait(
        'Tue, 23 May 2023 15:42:01 GMT',
      ),
    ).toBe(500);
  });

  it('gives up on a lasting rate limit with a clear error', async () => {
    sim.control.injectFault({ route: 'notes', kind: '429', times: 10 });
    const error = await client({ maxRetries: 1, rateLimitWaitMaxMs: 50 })
      .listNotes({ limit: 50, offset: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttioApiError);
    expect((error as AttioApiError).kind).toBe('ratelimited');
    expect((error as Error).message).toBe(
      'Attio notes failed after 2 attempts (HTTP 429): rate limited (rate_limit_exceeded)',
    );
  });

  it.each(['500', '502', '503', 'truncated', 'malformed'] as const)(
    'retries a %s and then succeeds',
    async (kind) => {
      sim.control.injectFault({ route: 'records_query', kind, times: 2 });
      const page = await client().queryRecords('companies', { limit: 500, offset: 0 });
      expect(page.length).toBe(sim.control.stats().companies);
    },
  );

  it('retries a hanging request after its timeout', async () => {
    sim.control.injectFault({ route: 'workspace_members', kind: 'hang' });
    const kinds: string[] = [];
    const members = await client({
      timeoutMs: 200,
      onRetry: (r) => kinds.push(r.kind),
    }).listMembers();
    expect(members.length).toBe(sim.control.stats().workspaceMembers);
    expect(kinds).toEqual(['timeout']);
  });

  it("fails at once on a wrong token, with Attio's code and message", async () => {
    const retries: unknown[] = [];
    const error = await client({ token: 'wrong', onRetry: (r) => retries.push(r) })
      .listMembers()
      .catch((e: unknown) => e);
    expect((error as AttioApiError).kind).toBe('auth');
    expect((error as Error).message).toMatch(
      /^Attio workspace members failed after 1 attempt \(HTTP 401\): unauthorized: /,
    );
    expect(retries).toEqual([]);
  });

  it("fails at once on a refused request (400), naming Attio's reason", async () => {
    const error = await client()
      .queryRecords('people', { limit: 10, offset: 0 }, { shoe_size: 44 })
      .catch((e: unknown) => e);
    expect((error as AttioApiError).kind).toBe('request');
    expect((error as Error).message).toMatch(/\(HTTP 400\): filter_error: /);
  });

  it('is refused by the guard without the loopback allowlist', async () => {
    const closed = createGuardedHttp({});
    try {
      const error = await client({ fetch: closed.fetch })
        .self()
        .catch((e: unknown) => e);
      expect((error as AttioApiError).kind).toBe('blocked');
    } finally {
      await closed.close();
    }
  });
});

describe('Attio client against a server that answers the wrong shape', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // JSON, HTTP 200, but a note without the fields the document requires.
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: [{ id: { workspace_id: 'w', note_id: 'n' } }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('retries, then names the field that does not match', async () => {
    const kinds: string[] = [];
    const error = await client({ baseUrl: url, maxRetries: 1, onRetry: (r) => kinds.push(r.kind) })
      .listNotes({ limit: 50, offset: 0 })
      .catch((e: unknown) => e);
    expect(kinds).toEqual(['invalid_response']);
    expect((error as Error).message).toMatch(
      /^Attio notes failed after 2 attempts \(HTTP 200\): the response does not match the notes schema: data\.0\.parent_object/,
    );
  });
});
