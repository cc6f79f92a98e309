import { SIGNAL_KINDS, SIGNAL_STATUSES, type Signal } from '@cairn/contract';
import { Api } from '../api.js';
import { defineCommand, writeLine } from '../command.js';
import { loadConfig } from '../config.js';
import { usage } from '../errors.js';

export const signals = defineCommand({
  name: 'signals',
  summary: 'List what needs attention: awaiting replies, commitments, deadlines, payments, risks',
  help: `cairn signals [--status STATUS] [--kind KIND] [--limit N] [--project ID] [--json]

Prints the project's signals, newest first (GET /signals): kind, severity, status, due date,
title and the conversation to read. --status: ${SIGNAL_STATUSES.join(', ')} (default open).
--kind: ${SIGNAL_KINDS.join(', ')}. --json prints the API's response as one JSON document.`,
  options: {
    status: { type: 'string' },
    kind: { type: 'string' },
    limit: { type: 'string' },
    project: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: { min: 0, max: 0 },
  async run(values) {
    const status = values.status ?? 'open';
    if (!(SIGNAL_STATUSES as readonly string[]).includes(status)) {
      throw usage(`--status: one of ${SIGNAL_STATUSES.join(', ')}`);
    }
    if (values.kind !== undefined && !(SIGNAL_KINDS as readonly string[]).includes(values.kind)) {
      throw usage(`--kind: one of ${SIGNAL_KINDS.join(', ')}`);
    }
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
      throw usage('--limit: a whole number from 1 to 200');
    }
    const params = new URLSearchParams({ status, limit: String(limit) });
    if (values.kind) params.set('kind', values.kind);
    const api = new Api(await loadConfig(), values.project);
    const result = await api.json<{ signals: Signal[]; next_cursor: string | null }>(
      'GET',
      `/signals?${params}`,
    );
    if (values.json) return writeLine(JSON.stringify(result, null, 2));
    if (result.signals.length === 0) return writeLine(`No ${status} signals.`);
    for (const [i, s] of result.signals.entries()) {
      await writeLine(
        `${i + 1}. ${s.kind} · ${s.severity} · ${s.status}${s.due_at ? ` · due ${s.due_at}` : ''} · ${s.id}`,
      );
      await writeLine(`   ${s.title.replace(/\s+/g, ' ')}`);
      if (s.subject.conversation_id) {
        await writeLine(`   thread: cairn thread ${s.subject.conversation_id}`);
      }
    }
    if (result.next_cursor) await writeLine(`(more signals: raise --limit or narrow)`);
  },
});
