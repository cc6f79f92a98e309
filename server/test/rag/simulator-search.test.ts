import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddingProvider } from '../../src/modules/rag/embeddings/provider.js';
import { runEmbeddings } from '../../src/modules/rag/run-embeddings.js';
import { useTestApp } from '../support/app.js';
import { bindSim, type Bound } from '../chatwoot/harness.js';

const ctx = useTestApp();

describe('search over a synced simulator account', () => {
  let bound: Bound;
  beforeAll(async () => {
    // 1,500 messages in 80 conversations: enough templated talk that a phrase must be chosen with
    // care to be one message's alone, and a third of the 'small' preset's sync and embedding
    // (the file's tests 9.7 s → 3.9 s on the embedded database).
    bound = await bindSim(ctx, {
      seed: 'cairn-search',
      size: { conversations: 80, totalMessages: 1_500 },
    });
    await bound.sync();
    const counts = await runEmbeddings({
      database: ctx.database,
      config: ctx.config,
      scope: bound.scope,
      provider: createEmbeddingProvider(ctx.config),
    });
    expect(counts.embedded).toBeGreaterThan(0);
  });
  afterAll(async () => bound?.sim.stop());

  it('returns the message a phrase was taken from first, with every evidence field filled', async () => {
    // A chunk whose text no other chunk shares, so "first" has one right answer. Grouped, not a
    // count per chunk: that compared every chunk with every other, seconds of the file's run.
    const { rows } = await sql<{ message_global_id: string; text: string }>`
      select (array_agg(message_global_id))[1] as message_global_id, text from rag_chunks
      where project_id = ${bound.scope.projectId} and length(text) between 60 and 400
      group by text having count(*) = 1
      order by 1 limit 3
    `.execute(ctx.database.db);
    const texts = (
      await sql<{ text: string }>`
        select text from rag_chunks where project_id = ${bound.scope.projectId}
      `.execute(ctx.database.db)
    ).rows.map((r) => r.text);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const phrase = distinctivePhrase(row.text, texts);
      const res = await bound.session.request('POST', '/search', { query: phrase, topK: 5 });
      expect(res.statusCode).toBe(200);
      const hit = res.json().hits[0];
      expect(hit.message_global_id).toBe(row.message_global_id);
      for (const field of [
        'chunk_id',
        'message_global_id',
        'conversation_global_id',
        'contact_name',
        'sender_type',
        'message_created_at',
        'snippet',
        'deep_link',
      ]) {
        expect(hit[field], field).toBeTruthy();
      }
      expect(hit.deep_link).toMatch(
        new RegExp(`^${bound.sim.url}/app/accounts/${bound.sim.accountId}/conversations/\\d+$`),
      );
      expect(hit.scores.fused).toBeGreaterThan(0);
      expect(hit.evidence).toMatchObject({ source: 'rag_chunks', ref: hit.chunk_id });
    }
  });

  /**
   * The simulator writes from templates, so two messages often share their first words and differ
   * in a price or a date. "A phrase taken from one message" must be one no other message holds.
   */
  function distinctivePhrase(text: string, texts: string[]): string {
    const words = text.split(/\s+/);
    const size = Math.min(words.length, 8);
    for (let start = words.length - size; start >= 0; start--) {
      const phrase = words.slice(start, start + size).join(' ');
      if (texts.filter((t) => t.includes(phrase)).length === 1) return phrase;
    }
    return text;
  }

  it('finds messages with another inflected form of a Russian word', async () => {
    // The simulator's studio talk declines its nouns; "макетами" (instrumental plural) is rarely
    // written, while other forms of "макет" are common.
    const res = await bound.session.request('POST', '/search', { query: 'макетами', topK: 20 });
    const hits = res.json().hits as { snippet: string }[];
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.some((h) => /\[\[макет(|а|у|ом|е|ы|ов)\]\]/i.test(h.snippet))).toBe(true);
  });
});
