import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindSim, type Bound } from '../../chatwoot/harness.js';
import { useTestApp } from '../../support/app.js';
import { bindLinearSim, type LinearBound } from './harness.js';

/**
 * `POST /search {query, source}` narrows hits to one source kind (issue 18, item 7), in a project
 * bound to both a Chatwoot account and a Linear workspace.
 */

const ctx = useTestApp();

type Hit = { source: string; message_global_id: string };

describe('the search source filter', { timeout: 60_000 }, () => {
  let chatwoot: Bound;
  let linear: LinearBound;
  const search = (body: Record<string, unknown>) =>
    chatwoot.session.request('POST', '/search', { topK: 50, ...body });

  beforeAll(async () => {
    chatwoot = await bindSim(ctx, { size: 'tiny', seed: 'search-source' });
    await chatwoot.sync();
    linear = await bindLinearSim(ctx, 'search-source');
    // The Linear rows go into the Chatwoot project: one project, both sources.
    await linear.sync({ scope: chatwoot.scope });
  });
  afterAll(async () => {
    await chatwoot?.sim.stop();
    await linear?.sim.stop();
  });

  it('returns every source without a filter, and one source with it', async () => {
    // Words common to the studio's Chatwoot messages and Linear issues.
    const query = 'logo design brand website deadline';
    const all = (await search({ query })).json().hits as Hit[];
    const kinds = new Set(all.map((h) => h.source));
    expect(kinds).toEqual(new Set(['chatwoot', 'linear']));

    const onlyLinear = await search({ query, source: 'linear' });
    expect(onlyLinear.statusCode, onlyLinear.body).toBe(200);
    const linearHits = onlyLinear.json().hits as Hit[];
    expect(linearHits.length).toBeGreaterThan(0);
    expect(linearHits.every((h) => h.source === 'linear')).toBe(true);

    const chatwootHits = (await search({ query, source: 'chatwoot' })).json().hits as Hit[];
    expect(chatwootHits.length).toBeGreaterThan(0);
    expect(chatwootHits.every((h) => h.source === 'chatwoot')).toBe(true);

    // No Attio chunks exist yet: the filter is accepted and finds nothing.
    expect((await search({ query, source: 'attio' })).json().hits).toEqual([]);
  });

  it('refuses an unknown source naming the field', async () => {
    const res = await search({ query: 'logo', source: 'jira' });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.fields[0].field).toBe('source');
  });
});
