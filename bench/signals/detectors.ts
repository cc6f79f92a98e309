/**
 * Signal detector throughput (not a test: it prints figures, asserts nothing).
 *
 *   npx tsx bench/signals/detectors.ts
 *
 * BENCH_MESSAGES (default 100000) synthetic studio messages in Russian and English, 20 to a
 * conversation, written from templates that carry every signal kind (promises with dates, client
 * deadlines, invoices and payments, complaints, quotes and signatures) among plain messages, all
 * in one Moscow project. Measured in one run:
 *  1. baseline: preparing every message's text (quote and signature stripping, lower-casing),
 *     the floor any detector pays;
 *  2. first run: every detector over every conversation (`runDetectors` without `changed`);
 *  3. incremental run: 1% new messages appended to some conversations, and `runDetectors` given
 *     only those conversations as `changed` (what ingest does after a sync).
 * Each pass runs twice and the second is reported (the first warms the JIT and chrono's caches).
 */
import { performance } from 'node:perf_hooks';
import {
  runDetectors,
  type ConversationView,
  type MessageView,
} from '../../server/src/modules/signals/detectors/index.js';
import { prepareText } from '../../server/src/modules/signals/detectors/text.js';
import { rng } from '../support/random.js';

const TOTAL = Number(process.env.BENCH_MESSAGES ?? 100_000);
const PER_CONVERSATION = 20;
const NEW_SHARE = 0.01;
const NEW_PER_CONVERSATION = 4;
const SETTINGS = {
  time_zone: 'Europe/Moscow',
  business_hours: { days: [1, 2, 3, 4, 5], start: '10:00', end: '19:00' },
  holidays: ['2026-01-01', '2026-01-02'],
};
const NOW = '2025-12-20T12:00:00+03:00';

const INBOUND = [
  'Добрый день! Посмотрели макеты, в целом нравится, но шапку хотим светлее. Когда ждать правки?',
  'Нам нужна финальная версия логотипа к выставке, она 12 декабря. Успеете?',
  'Спасибо, получили!',
  'Оплатили счёт №{n}, проверьте, пожалуйста.',
  'Доставку образцов сделаем за счёт нашего курьера.',
  'Честно говоря, это не то, что мы просили. Мы разочарованы сроками.',
  'Hi team, we need the pitch deck by Wednesday at the latest.',
  'Thanks! We will review it internally and get back to you.',
  'The payment of €4,800 has been made today.',
  'This is urgent, the staging site is down. Can someone check ASAP?',
  'Looks good, go ahead with option A.\n\nBest regards,\nLucy Grant\nUrgent matters: call +44 20 7946 0000',
  'Ок, ждём.\n\n> Пришлём макеты до пятницы.',
];
const OUTBOUND = [
  'Добрый день! Пришлём обновлённые макеты до пятницы.',
  'Направляем счёт №{n} на 180 000 ₽. Оплатить нужно до 10 декабря.',
  'Отправили финальные файлы на почту.',
  'Спасибо, так и сделаем.',
  "Thanks Sarah, we'll send the first draft by Monday 3pm.",
  "Here's the first draft of the deck.",
  'Please find attached invoice #INV-{n} for $2,500, due within 14 days.',
  'Great, thanks! We will get started on option A.',
];

function makeMessages(conversationId: string, start: number, count: number, random: () => number) {
  const messages: MessageView[] = [];
  // Conversations start on different days of November–December 2025, a message every ~5 hours.
  let at =
    Date.parse('2025-11-01T07:00:00Z') +
    Math.floor(random() * 40) * 86_400_000 +
    start * 5 * 3_600_000;
  for (let i = start; i < start + count; i += 1) {
    at += Math.floor(random() * 8 * 3_600_000);
    const inbound = random() < 0.5;
    const pool = inbound ? INBOUND : OUTBOUND;
    const text = pool[Math.floor(random() * pool.length)]!.replace('{n}', String(100 + i));
    messages.push({
      id: `cwmsg:bench:${conversationId}:${i}`,
      direction: inbound ? 'inbound' : random() < 0.05 ? 'note' : 'outbound',
      author: inbound
        ? { kind: 'contact', id: 'c', name: 'Client' }
        : { kind: 'user', id: 'u', name: 'Studio' },
      text,
      created_at: new Date(at).toISOString(),
      has_attachments: !inbound && random() < 0.1,
    });
  }
  return messages;
}

function makeCorpus(total: number): ConversationView[] {
  const random = rng(42);
  const conversations: ConversationView[] = [];
  for (let c = 0; c * PER_CONVERSATION < total; c += 1) {
    const id = `cw:bench:1:${c}`;
    conversations.push({
      conversation: {
        id,
        status: random() < 0.8 ? 'open' : 'resolved',
        contact: { id: `cwc:bench:1:${c}`, name: `Client ${c}` },
        last_activity_at: null,
      },
      messages: makeMessages(
        id,
        0,
        Math.min(PER_CONVERSATION, total - c * PER_CONVERSATION),
        random,
      ),
    });
  }
  return conversations;
}

/**
 * Wall time and this process's CPU time: on a machine shared with other work the wall figure
 * includes waiting for a core, the CPU figure is what the detectors cost.
 */
function timed<T>(fn: () => T): { result: T; seconds: number; cpu: number } {
  fn(); // warm-up pass
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const result = fn();
  const cpu = process.cpuUsage(cpuStarted);
  return {
    result,
    seconds: (performance.now() - started) / 1000,
    cpu: (cpu.user + cpu.system) / 1e6,
  };
}

const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')} messages/s`;
const both = (n: number, t: { seconds: number; cpu: number }) =>
  `${t.seconds.toFixed(2)} s wall (${rate(n, t.seconds)}), ${t.cpu.toFixed(2)} s CPU (${rate(n, t.cpu)})`;

const conversations = makeCorpus(TOTAL);
const messageCount = conversations.reduce((n, c) => n + c.messages.length, 0);
console.log(
  `corpus: ${messageCount.toLocaleString('en-US')} messages in ${conversations.length.toLocaleString('en-US')} conversations`,
);

const baseline = timed(() => {
  let chars = 0;
  for (const view of conversations)
    for (const m of view.messages) chars += prepareText(m.text).norm.length;
  return chars;
});
console.log(`baseline (text preparation only): ${both(messageCount, baseline)}`);

const first = timed(() => runDetectors({ settings: SETTINGS, now: NOW, conversations }));
const counts = new Map<string, number>();
for (const s of first.result.signals) counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
console.log(
  `first run (all detectors, every conversation): ${both(messageCount, first)}; ` +
    `${first.result.signals.length.toLocaleString('en-US')} signals (${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}), ` +
    `${first.result.resolutions.length.toLocaleString('en-US')} resolutions`,
);

// 1% new messages, appended to as many conversations as needed at NEW_PER_CONVERSATION each.
const newMessages = Math.round(messageCount * NEW_SHARE);
const random = rng(7);
const changed = new Set<string>();
for (let added = 0; added < newMessages; added += NEW_PER_CONVERSATION) {
  const view = conversations[Math.floor(random() * conversations.length)]!;
  const count = Math.min(NEW_PER_CONVERSATION, newMessages - added);
  view.messages.push(...makeMessages(view.conversation.id, view.messages.length, count, random));
  changed.add(view.conversation.id);
}
const reread = conversations
  .filter((c) => changed.has(c.conversation.id))
  .reduce((n, c) => n + c.messages.length, 0);
const incremental = timed(() =>
  runDetectors({ settings: SETTINGS, now: NOW, conversations, changed }),
);
console.log(
  `incremental run (${newMessages.toLocaleString('en-US')} new messages in ${changed.size} changed conversations, ` +
    `${reread.toLocaleString('en-US')} messages re-evaluated): ${(incremental.seconds * 1000).toFixed(0)} ms wall, ` +
    `${(incremental.cpu * 1000).toFixed(0)} ms CPU; ${rate(newMessages, incremental.seconds)} new (wall), ` +
    `${rate(reread, incremental.seconds)} evaluated (wall); ` +
    `full re-run would read ${(messageCount + newMessages).toLocaleString('en-US')}`,
);
console.log(`rss ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
