// @module-tag no-database
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { WritePipeline } from '../../src/modules/ingest/write-pipeline.js';

describe('WritePipeline', () => {
  it('never runs more than its limit at once, and runs that many', async () => {
    const pipeline = new WritePipeline(2);
    let running = 0;
    let peak = 0;
    for (let i = 0; i < 6; i++) {
      await pipeline.start(async () => {
        peak = Math.max(peak, ++running);
        await sleep(10);
        running--;
      });
    }
    await pipeline.drain();
    expect(peak).toBe(2);
  });

  it('starts nothing after a failure and rethrows it from drain', async () => {
    const pipeline = new WritePipeline(1);
    const ran: number[] = [];
    await pipeline.start(async () => {
      throw new Error('batch 1 failed');
    });
    for (const n of [2, 3]) {
      await pipeline.start(async () => {
        ran.push(n);
      });
    }
    expect(pipeline.failed).toBe(true);
    await expect(pipeline.drain()).rejects.toThrow('batch 1 failed');
    expect(ran).toEqual([]);
  });
});
