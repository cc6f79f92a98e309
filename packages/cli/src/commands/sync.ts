import type { JobRun } from '@cairn/contract';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { Api } from '../api.js';
import { defineCommand, writeLine } from '../command.js';
import { loadConfig } from '../config.js';
import { CliError, usage } from '../errors.js';

export const sync = defineCommand({
  name: 'sync',
  summary: 'Start a Chatwoot sync of the project; --wait follows it to the end',
  help: `cairn sync [--project ID] [--wait] [--timeout SECONDS] [--json]

Queues a sync (POST /jobs/chatwoot/sync). With --wait, follows its progress on the live event
stream (GET /jobs/events) and exits 0 when it succeeds, 1 when it fails or times out
(default 600 seconds).`,
  options: {
    project: { type: 'string' },
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: { min: 0, max: 0 },
  async run(values) {
    const timeout = Number(values.timeout ?? 600);
    if (!Number.isFinite(timeout) || timeout <= 0) throw usage('--timeout: seconds, above 0');
    const api = new Api(await loadConfig(), values.project);
    // The stream opens first, so no change of the new run can slip between the two requests.
    const aborted = new AbortController();
    const events = values.wait
      ? await api.raw('GET', '/jobs/events', undefined, 'text/event-stream')
      : null;
    const { run } = await api.json<{ run: JobRun; created: boolean }>(
      'POST',
      '/jobs/chatwoot/sync',
    );
    if (!events) {
      if (values.json) return writeLine(JSON.stringify(run));
      return writeLine(`Sync ${run.id} ${run.status}. Follow it with: cairn sync --wait`);
    }
    const timer = setTimeout(() => aborted.abort(), timeout * 1000);
    try {
      const final = await follow(events, run, aborted.signal, Boolean(values.json));
      if (values.json) await writeLine(JSON.stringify(final));
      else
        await writeLine(
          `\nSync ${final.status}: ${final.processed} processed${final.error ? ` (${final.error})` : ''}`,
        );
      if (final.status !== 'ok') throw new CliError(`sync ${final.status}`);
    } finally {
      clearTimeout(timer);
    }
  },
});

async function follow(events: Response, run: JobRun, signal: AbortSignal, quiet: boolean) {
  if (isDone(run)) {
    await events.body?.cancel().catch(() => undefined);
    return run;
  }
  const stream = events
    .body!.pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream());
  const reader = stream.getReader();
  const onAbort = () => void reader.cancel();
  signal.addEventListener('abort', onAbort);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (value.event !== 'status' && value.event !== 'progress') continue;
      const update = JSON.parse(value.data) as JobRun;
      if (update.id !== run.id) continue;
      if (!quiet) drawProgress(update);
      if (isDone(update)) return update;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    // Closes the connection too: an open stream would keep the process alive after the answer.
    await reader.cancel().catch(() => undefined);
  }
  throw new CliError(signal.aborted ? 'timed out waiting for the sync' : 'the event stream ended');
}

const isDone = (run: JobRun) => run.status === 'ok' || run.status === 'failed';

/** One line redrawn in place on a terminal; a line per update when piped. */
function drawProgress(run: JobRun) {
  const width = 30;
  const share = run.total ? Math.min(1, run.processed / run.total) : 0;
  const bar = run.total ? `[${'#'.repeat(Math.round(share * width)).padEnd(width, ' ')}] ` : '';
  const line = `${bar}${run.status} ${run.phase ?? ''} ${run.processed}${run.total ? `/${run.total}` : ''}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line.padEnd(70)}`);
  else process.stderr.write(`${line}\n`);
}
