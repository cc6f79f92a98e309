import type { Conversation, Message } from '@cairn/contract';
import { Api } from '../api.js';
import { defineCommand, writeLine } from '../command.js';
import { loadConfig } from '../config.js';

export const thread = defineCommand({
  name: 'thread',
  summary: 'Print a conversation, oldest message first',
  help: `cairn thread CONVERSATION_ID [--project ID] [--json]

CONVERSATION_ID is a conversation id (cw:…), as search hits carry. --json prints one JSON object
per line: the conversation, then each message.`,
  options: { project: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(values, [id]) {
    const api = new Api(await loadConfig(), values.project);
    const { conversation } = await api.json<{ conversation: Conversation }>(
      'GET',
      `/conversations/${encodeURIComponent(id!)}`,
    );
    if (values.json) await writeLine(JSON.stringify({ type: 'conversation', ...conversation }));
    else {
      await writeLine(
        `${conversation.contact_name ?? 'Unknown contact'} · ${conversation.status ?? 'unknown'} · ${conversation.message_count} messages`,
      );
      if (conversation.deep_link) await writeLine(conversation.deep_link);
    }
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ conversation_global_id: id!, limit: '500' });
      if (cursor) query.set('cursor', cursor);
      const page: { messages: Message[]; next_cursor: string | null } = await api.json(
        'GET',
        `/messages?${query}`,
      );
      for (const m of page.messages) {
        if (values.json) await writeLine(JSON.stringify({ type: 'message', ...m }));
        else {
          await writeLine(
            `\n[${m.source_created_at ?? 'no date'}] ${m.sender_name ?? m.sender_type ?? 'unknown'} (${m.message_type}${m.private ? ', private' : ''})`,
          );
          await writeLine(m.deleted ? '(deleted)' : (m.content ?? ''));
        }
      }
      cursor = page.next_cursor;
    } while (cursor);
  },
});
