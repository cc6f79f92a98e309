import { describe, expect, it } from 'vitest';
import { startLinearSim } from '../src/index.js';
import { gql } from './helpers.js';

describe('bench size', () => {
  it('generates 20,000 issues and 60,000 comments and serves a page without building all text', async () => {
    const sim = await startLinearSim({ size: 'bench', seed: 'bench' });
    try {
      const stats = sim.control.stats();
      expect(stats.issues).toBe(20_000);
      expect(stats.comments).toBe(60_000);
      expect(stats.customers).toBeGreaterThan(700);
      const page = await gql(
        sim,
        '{ issues(first: 250, orderBy: updatedAt) { nodes { id title } pageInfo { hasNextPage } } }',
      );
      expect(page.body['data']['issues']['nodes']).toHaveLength(250);
      expect(page.body['data']['issues']['pageInfo']['hasNextPage']).toBe(true);
    } finally {
      await sim.stop();
    }
  });
});
