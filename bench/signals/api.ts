/**
 * The signals module against a database (not a test: it prints figures, asserts nothing).
 *
 *   npx tsx bench/signals/api.ts                                            (embedded database)
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/signals/api.ts
 *
 * 1. Detectors with their writes: the `small` simulator account (5,000 messages; BENCH_MESSAGES
 *    sets another count, 20 a conversation, e.g. 100000) synced with the ingest hook, then
 *    `runSignalsForProject` (load views, detect, compare, write) first over everything, then
 *    again over the unchanged data (writes nothing: the cost of the scheduled re-evaluation),
 *    then the incremental path: 1,000 new messages in 250 conversations synced with the hook.
 * 2. `GET /signals` latency with BENCH_SIGNALS (default 10,000) signals in the project, over HTTP
 *    with a session: the first page of open signals, a kind filter, a due_before filter, and a
 *    page deep in the cursor walk; the baseline is `GET /auth/me` (same authentication, no query)
 *    measured in the same run.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { syncChatwoot } from '../../server/src/modules/connectors/chatwoot/sync-chatwoot.js';
import { stopOnReply } from '../../server/src/modules/outbound/stop-on-reply.js';
import { systemScope } from '../../server/src/modules/access/system-actor.js';
import {
  runSignalsForProject,
  signalsAfterMessagesApplied,
} from '../../server/src/modules/signals/run-signals.js';
import { ms, percentile, startStack } from '../support/stack.js';

const SIGNALS = Number(process.env.BENCH_SIGNALS ?? 10_000);
const MESSAGES = process.env.BENCH_MESSAGES ? Number(process.env.BENCH_MESSAGES) : undefined;
const INCREMENT = 1_000;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);

const stack = await startStack({
  label: 'signals',
  serverUrl: process.env.BENCH_DATABASE_URL,
  simSize: MESSAGES
    ? { conversations: Math.ceil(MESSAGES / 20), totalMessages: MESSAGES }
    : 'small',
});
try {
  const me = (await (await stack.session.request('GET', '/auth/me')).json()) as {
    active_project_id: string;
    account_scope_id: string;
  };
  const scope = systemScope(
    { projectId: me.active_project_id, accountScopeId: me.account_scope_id },
    'bench',
  );

  // 1. Sync (the ingest hook runs the detectors in every write), then full runs.
  const sync = () =>
    syncChatwoot({
      database: stack.database,
      config: stack.config,
      scope,
      source: { baseUrl: stack.sim.url, accountId: stack.sim.accountId, apiToken: stack.sim.token },
      onMessagesApplied: [signalsAfterMessagesApplied],
      onInboundReplies: [stopOnReply],
    });
  let started = performance.now();
  const synced = await sync();
  const syncWithSignals = (performance.now() - started) / 1000;
  const messages = synced.messages_inserted;
  started = performance.now();
  const first = await runSignalsForProject({ database: stack.database, scope });
  const firstSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const again = await runSignalsForProject({ database: stack.database, scope, now: new Date() });
  const againSeconds = (performance.now() - started) / 1000;
  console.log(
    `sync of ${messages.toLocaleString('en-US')} messages with the ingest hook: ${syncWithSignals.toFixed(2)} s`,
  );
  console.log(
    `full run after the sync (${first.conversations} conversations): ${firstSeconds.toFixed(2)} s, ` +
      `${Math.round(messages / firstSeconds).toLocaleString('en-US')} messages/s; ` +
      `inserted ${first.inserted}, updated ${first.updated}, unchanged ${first.unchanged}`,
  );
  console.log(
    `re-run over unchanged data: ${againSeconds.toFixed(2)} s, ` +
      `${Math.round(messages / againSeconds).toLocaleString('en-US')} messages/s; ` +
      `writes ${again.inserted + again.updated + again.resolved + again.reopened}`,
  );
  // Incremental: new messages in a tenth of the conversations (at most 250), half from the client,
  // synced with the hook, which re-reads only the conversations that changed.
  const conversations = stack.sim.control.groundTruth.conversationIds();
  const touched = conversations.slice(0, Math.min(250, Math.ceil(conversations.length / 10)));
  for (let i = 0; i < INCREMENT; i += 1) {
    stack.sim.control.addMessage({
      conversationId: touched[i % touched.length]!,
      content:
        i % 2 === 0
          ? `Could you send the updated estimate by Friday? (${i})`
          : `Пришлём обновлённую смету до пятницы. (${i})`,
      message_type: i % 2 === 0 ? 'incoming' : 'outgoing',
    });
  }
  started = performance.now();
  const increment = await sync();
  const incrementSeconds = (performance.now() - started) / 1000;
  console.log(
    `incremental: ${increment.messages_inserted.toLocaleString('en-US')} new messages in ${touched.length} conversations, ` +
      `synced with the hook: ${incrementSeconds.toFixed(2)} s`,
  );

  // 2. SIGNALS signals, spread over kinds, severities, statuses and due dates.
  await sql`
    insert into signals (project_id, account_scope_id, kind, severity, status, title, detail,
      due_at, subject, subject_key, evidence_refs, detector, detector_version, fingerprint,
      resolved_at, created_at)
    select ${scope.projectId}::uuid, ${scope.accountScopeId}::uuid,
      (array['awaiting_reply','commitment','client_deadline','payment','risk','stalled'])[1 + i % 6],
      (array['info','warning','critical'])[1 + i % 3],
      case when i % 5 = 0 then 'resolved' else 'open' end,
      'Bench signal ' || i, 'Detail of bench signal ' || i,
      now() + (i % 90 - 45) * interval '1 day',
      jsonb_build_object('conversation_id', 'cw:bench:' || i), 'cw:bench:' || i,
      jsonb_build_array(jsonb_build_object('source', 'cw_messages', 'ref', 'cwmsg:bench:' || i,
        'snippet', 'Could you send the revised logo by Friday, please? ' || i,
        'meta', jsonb_build_object('match', jsonb_build_array(0, 14)))),
      'bench', '1', 'bench-' || i,
      case when i % 5 = 0 then now() end,
      now() - i * interval '1 minute'
    from generate_series(1, ${SIGNALS}) as i`.execute(stack.database.db);
  await sql`analyze signals`.execute(stack.database.db);

  const time = async (path: string) => {
    const samples: number[] = [];
    for (let i = 0; i < REQUESTS + 20; i += 1) {
      const t0 = performance.now();
      const res = await stack.session.request('GET', path);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      if (i >= 20) samples.push(performance.now() - t0);
    }
    return `p50 ${ms(percentile(samples, 50))}, p95 ${ms(percentile(samples, 95))}, p99 ${ms(percentile(samples, 99))}`;
  };
  // A cursor 40 pages of 50 deep (2,000 rows in).
  let cursor: string | null = null;
  for (let page = 0; page < 40; page += 1) {
    const res = await stack.session.request(
      'GET',
      `/signals?status=open&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    cursor = ((await res.json()) as { next_cursor: string | null }).next_cursor;
  }
  const dueBefore = encodeURIComponent(new Date().toISOString());
  console.log(
    `\nGET with ${SIGNALS.toLocaleString('en-US')} signals in the project, ${REQUESTS} requests each:`,
  );
  console.log(`baseline GET /auth/me: ${await time('/auth/me')}`);
  console.log(`GET /signals?status=open&limit=50: ${await time('/signals?status=open&limit=50')}`);
  console.log(
    `GET /signals?status=open&kind=payment&limit=50: ${await time('/signals?status=open&kind=payment&limit=50')}`,
  );
  console.log(
    `GET /signals?status=open&due_before=now&limit=50: ${await time(`/signals?status=open&due_before=${dueBefore}&limit=50`)}`,
  );
  console.log(
    `GET /signals 40 pages deep: ${await time(`/signals?status=open&limit=50&cursor=${encodeURIComponent(cursor!)}`)}`,
  );
  console.log(`GET /signals?limit=200: ${await time('/signals?limit=200')}`);
} finally {
  await stack.close();
}
