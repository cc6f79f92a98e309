import { describe, expect, it } from 'vitest';
import { startAttioSim } from '../src/index.js';
import { api } from './helpers.js';

describe('bench size', () => {
  it('generates 5,000 people, 2,000 companies and 20,000 notes, and serves a page', async () => {
    const sim = await startAttioSim({ size: 'bench', seed: 'bench' });
    try {
      const stats = sim.control.stats();
      expect(stats.companies).toBe(2_000);
      expect(stats.people).toBeGreaterThan(4_800);
      expect(stats.notes).toBe(20_000);
      const page = await api(sim, '/v2/notes?limit=50&offset=19950');
      expect(page.body['data']).toHaveLength(50);
      const records = await api(sim, '/v2/objects/people/records/query', {
        json: { offset: 4_500 },
      });
      expect(records.body['data'].length).toBeGreaterThan(300);
    } finally {
      await sim.stop();
    }
  });
});
