// @module-tag no-database
import { startChatwootSim } from '@cairn/chatwoot-sim';
import { describe, expect, it } from 'vitest';
import { loadQuestions } from '../../scripts/eval-ask.js';
import { DEMO_SEED, DEMO_SIZE } from '../../src/demo.js';
import { isChunkable } from '../../src/modules/connectors/chatwoot/chunking.js';
import { loadConfig } from '../../src/config.js';

describe('the labelled Ask question set (server/test/ask/qa.json)', () => {
  it('has at least 60 questions, in Russian and English, each answerable from its labelled demo messages', async () => {
    const questions = await loadQuestions();
    expect(questions.length).toBeGreaterThanOrEqual(60);
    expect(new Set(questions.map((q) => q.id)).size).toBe(questions.length);
    const russian = questions.filter((q) => q.lang === 'ru').length;
    expect(russian).toBeGreaterThanOrEqual(questions.length * 0.4);
    expect(questions.length - russian).toBeGreaterThanOrEqual(questions.length * 0.4);

    const sim = await startChatwootSim({ seed: DEMO_SEED, size: DEMO_SIZE });
    try {
      const messages = new Map(
        [...sim.control.groundTruth.messages()].map((m) => [
          m.id as number,
          {
            content: (m.content as string | null) ?? '',
            message_type: m.message_type as number,
            private: m.private as boolean,
            deleted: false,
          },
        ]),
      );
      const minChars = loadConfig({}).MIN_EMBED_CHARS;
      for (const q of questions) {
        expect(q.messages.length, q.id).toBeGreaterThan(0);
        for (const id of q.messages) {
          const message = messages.get(id);
          expect(message, `${q.id}: message ${id}`).toBeDefined();
          // Searchable (it gets chunks), and it states every fact the answer must give.
          expect(isChunkable(message!, minChars), `${q.id}: message ${id}`).toBe(true);
          for (const fact of q.expect) expect(message!.content, `${q.id}: ${id}`).toContain(fact);
        }
      }
    } finally {
      await sim.stop();
    }
  });
});
