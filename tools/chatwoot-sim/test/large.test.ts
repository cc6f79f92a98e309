import { describe, expect, it } from 'vitest';
import { startChatwootSim } from '../src/index.js';
import { accountPath, api, type Json } from './helpers.js';

describe('large size', () => {
  it('generates a million messages lazily: reading the last conversation builds only that one', async () => {
    const sim = await startChatwootSim({ size: 'large', seed: 'large' });
    try {
      const stats = sim.control.stats();
      expect(stats.generatedMessages).toBeGreaterThan(950_000);
      expect(stats.materialisedMessages).toBe(0);

      const ids = sim.control.groundTruth.conversationIds();
      const last = ids[ids.length - 1]!;
      const page = await api(sim, accountPath(sim, `/conversations/${last}/messages`));
      expect(page.status).toBe(200);
      const payload = page.body['payload'] as Json[];
      expect(payload.length).toBeGreaterThan(0);

      const after = sim.control.stats();
      expect(after.materialisedConversations).toBe(1);
      expect(after.materialisedMessages).toBeLessThan(1_000);
      // The newest conversation holds the account's newest message ids.
      expect(payload.at(-1)!['id']).toBeGreaterThan(stats.generatedMessages);
    } finally {
      await sim.stop();
    }
  });
});
