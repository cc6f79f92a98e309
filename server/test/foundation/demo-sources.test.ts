import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindDemoSources, DEMO_SYNC_JOBS, startDemoSims, type DemoSims } from '../../src/demo.js';
import { defaultJobHandlers } from '../../src/modules/jobs/handlers.js';
import type { Scope } from '../../src/db/database.js';
import { useTestApp } from '../support/app.js';
import { createProject, signIn, type Session } from '../support/factories.js';

/**
 * The demo's three sources (issue 18, item 8 and its acceptance): the simulators `npm start`
 * runs, bound by the demo's own setup and synced by the job handlers its first run enqueues. A
 * search for a client topic then finds a conversation, a Linear issue or comment and an Attio
 * note, each hit's deep link opens a page, and `source` narrows the hits to one kind.
 */

const ctx = useTestApp();

type Hit = { source: (typeof KINDS)[number]; message_global_id: string; deep_link: string | null };
const KINDS = ['chatwoot', 'linear', 'attio'] as const;
// A conversation's message, a Linear issue, an Attio note (search-chunks.ts's id prefixes).
const WANTED = { chatwoot: 'cwmsg:', linear: 'lin:', attio: 'atn:' } as const;
// A client topic of the generated studio: their brand work, asked about in conversations, tracked
// as Linear issues and written up in Attio notes.
const QUERY = 'logo brand identity';

describe('the demo binds Chatwoot, Linear and Attio', { timeout: 600_000 }, () => {
  let sims: DemoSims;
  let session: Session;
  let scope: Scope;
  let sourceIds: Record<string, string>;
  const search = (body: Record<string, unknown>) =>
    session.request('POST', '/search', { query: QUERY, topK: 50, ...body });

  beforeAll(async () => {
    sims = await startDemoSims();
    session = await signIn(ctx.app, ctx.database);
    scope = await createProject(session);
    const deps = { config: ctx.config, database: ctx.database, secrets: ctx.app.secrets };
    sourceIds = await bindDemoSources(deps, scope, sims);
    const handlers = defaultJobHandlers(ctx.config);
    const signal = new AbortController().signal;
    for (const type of DEMO_SYNC_JOBS) {
      await handlers[type]!({
        database: ctx.database,
        config: ctx.config,
        scope,
        runId: '',
        trigger: 'manual',
        signal,
        onProgress: () => undefined,
        logger: ctx.app.log,
      });
    }
  });
  afterAll(async () => {
    await sims?.stop();
  });

  it('binds one source of each kind, with webhook secrets for Linear and Attio', async () => {
    const res = await session.request('GET', '/sources');
    expect(res.statusCode, res.body).toBe(200);
    const sources = res.json().sources as {
      id: string;
      source_kind: string;
      webhook_secret_set: boolean;
    }[];
    const byKind = Object.fromEntries(sources.map((s) => [s.source_kind, s]));
    expect(Object.keys(byKind).sort()).toEqual([
      'attio_workspace',
      'chatwoot_account',
      'linear_workspace',
    ]);
    expect(byKind['linear_workspace']!.id).toBe(sourceIds.linear);
    expect(byKind['linear_workspace']!.webhook_secret_set).toBe(true);
    expect(byKind['attio_workspace']!.webhook_secret_set).toBe(true);
  });

  it('binds again at the next start, following the simulators to their new ports', async () => {
    const deps = { config: ctx.config, database: ctx.database, secrets: ctx.app.secrets };
    expect(await bindDemoSources(deps, scope, sims)).toEqual(sourceIds);
  });

  it('finds a client topic in all three sources, each hit linking to a page that opens', async () => {
    const res = await search({});
    expect(res.statusCode, res.body).toBe(200);
    const hits = res.json().hits as Hit[];
    const origins = { chatwoot: sims.chatwoot.url, linear: sims.linear.url, attio: sims.attio.url };
    for (const kind of KINDS) {
      const hit = hits.find(
        (h) => h.source === kind && h.message_global_id.startsWith(WANTED[kind]),
      );
      expect(hit, `a ${kind} hit for "${QUERY}"`).toBeDefined();
      expect(hit!.deep_link!.startsWith(`${origins[kind]}/`), hit!.deep_link!).toBe(true);
      const page = await fetch(hit!.deep_link!);
      expect(page.status, hit!.deep_link!).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    }
  });

  it('narrows the hits to one source kind with `source`', async () => {
    for (const kind of KINDS) {
      const res = await search({ source: kind });
      expect(res.statusCode, res.body).toBe(200);
      const hits = res.json().hits as Hit[];
      expect(hits.length, kind).toBeGreaterThan(0);
      expect(new Set(hits.map((h) => h.source))).toEqual(new Set([kind]));
    }
  });
});
