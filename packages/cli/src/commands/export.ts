import type { Contact, Conversation, Message, PersonSummary, Signal } from '@cairn/contract';
import { Api } from '../api.js';
import { defineCommand, writeLine } from '../command.js';
import { loadConfig } from '../config.js';
import { usage } from '../errors.js';

const PAGE = 500;
// GET /people and GET /signals page at most 200 (packages/contract/src/people.ts, signals.ts).
const SMALL_PAGE = 200;

export const exportCommand = defineCommand({
  name: 'export',
  summary: 'Write a project’s contacts, people, conversations, messages and signals as JSON lines',
  help: `cairn export --project ID --format jsonl > project.jsonl

One JSON object per line, each with a "type": contact, person, conversation, message, signal
(every status). Pages through the API with its cursors and writes each page as it arrives, so
memory stays flat at any size.`,
  options: { project: { type: 'string' }, format: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run(values) {
    if (!values.project) throw usage('--project is required (see cairn export --help)');
    if ((values.format ?? 'jsonl') !== 'jsonl') throw usage('--format: only jsonl');
    const api = new Api(await loadConfig(), values.project);
    await pages<Contact>(api, '/contacts', 'contacts', 'contact');
    await pages<PersonSummary>(api, '/people', 'people', 'person', SMALL_PAGE);
    await pages<Conversation>(api, '/conversations', 'conversations', 'conversation');
    await pages<Message>(api, '/messages', 'messages', 'message');
    await pages<Signal>(api, '/signals', 'signals', 'signal', SMALL_PAGE);
  },
});

async function pages<T extends object>(
  api: Api,
  path: string,
  key: string,
  type: string,
  size = PAGE,
) {
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: String(size) });
    if (cursor) query.set('cursor', cursor);
    const page = await api.json<Record<string, unknown>>('GET', `${path}?${query}`);
    for (const item of page[key] as T[]) await writeLine(JSON.stringify({ type, ...item }));
    cursor = page.next_cursor as string | null;
  } while (cursor);
}
