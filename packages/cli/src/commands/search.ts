import type { SearchResponse } from '@cairn/contract';
import { Api } from '../api.js';
import { defineCommand, writeLine } from '../command.js';
import { loadConfig } from '../config.js';
import { usage } from '../errors.js';

export const search = defineCommand({
  name: 'search',
  summary: 'Search the project’s conversations (hybrid: meaning and words)',
  help: `cairn search QUERY [--project ID] [--source chatwoot] [--limit N] [--json]

Prints each hit with its evidence id, author, time and quote; --json prints the API's response
(POST /search) as one JSON document. --project is needed when the token covers several projects.`,
  options: {
    project: { type: 'string' },
    source: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: { min: 1, max: 1 },
  async run(values, [query]) {
    if (values.source && values.source !== 'chatwoot') {
      throw usage(`--source: unknown source kind ${values.source} (indexed: chatwoot)`);
    }
    const limit = values.limit === undefined ? 10 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 50) {
      throw usage('--limit: a whole number from 1 to 50');
    }
    const api = new Api(await loadConfig(), values.project);
    const result = await api.json<SearchResponse>('POST', '/search', { query, topK: limit });
    if (values.json) return writeLine(JSON.stringify(result, null, 2));
    if (result.hits.length === 0) return writeLine('No hits.');
    for (const [i, hit] of result.hits.entries()) {
      await writeLine(
        `${i + 1}. ${hit.contact_name ?? hit.sender_type ?? 'unknown'} · ${hit.message_created_at ?? 'no date'} · evidence ${hit.evidence.ref}`,
      );
      await writeLine(`   ${hit.snippet.replace(/\s+/g, ' ')}`);
      await writeLine(`   thread: cairn thread ${hit.conversation_global_id}`);
    }
    if (result.degraded) await writeLine(`(search ran degraded: ${result.degraded})`);
  },
});
