// What the simulator serves for a seed is a contract: server tests, the demo and the search-quality
// corpus are built on it. These digests were taken before the studio export (studio-clients.ts)
// was added and must never move; a change to generation needs a deliberate new digest.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startChatwootSim, type SizeName } from '../src/index.js';

async function digest(seed: string, size: SizeName): Promise<{ digest: string; token: string }> {
  const sim = await startChatwootSim({ seed, size });
  try {
    const hash = createHash('sha256');
    for (const item of sim.control.groundTruth.conversations()) hash.update(JSON.stringify(item));
    for (const item of sim.control.groundTruth.messages()) hash.update(JSON.stringify(item));
    for (const item of sim.control.groundTruth.contacts()) hash.update(JSON.stringify(item));
    return { digest: hash.digest('hex'), token: sim.token };
  } finally {
    await sim.stop();
  }
}

describe('generated output', () => {
  it('is byte-identical to the recorded digest for seed "1", tiny', async () => {
    expect(await digest('1', 'tiny')).toEqual({
      digest: '73b2d766ed80974dbe70d3abb7ccc40dc9fc126d1299174f4a587ec5c72346a0',
      token: 'CoURw5WX6SLzfKUWkKTvAAhP',
    });
  });

  it('is byte-identical to the recorded digest for seed "demo", small', async () => {
    expect(await digest('demo', 'small')).toEqual({
      digest: '5ea17d4e0c0adad23d341f29e81da2143f2356ed0918ef1d15ae73d2d51282ed',
      token: 'SoVXQSQzku7w5SwsVPcWsn4m',
    });
  });
});
