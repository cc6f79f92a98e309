/**
 * Signals quality harness: runs every detector over the labelled bilingual conversations in
 * server/eval/signals/ (tuning.json and held-out.json, under the settings of projects.json) and
 * prints, per detector and per split, precision, recall and the share of exact due dates; exits
 * non-zero when, over all conversations, any detector falls below precision 0.90 or recall 0.85,
 * or exact due dates fall below 0.95. Pure: no database, no network.
 *
 *   npm run eval:signals               # the report and the gate
 *   npm run eval:signals -- --verbose  # also every miss and every false alarm, with its text
 *
 * A detected signal matches an expected one when the kind, the rule (phrase or sentiment, for
 * `risk`) and the primary cited message (the first evidence ref) agree; each is matched once.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  runDetectors,
  SIGNAL_KINDS,
  type ConversationView,
  type DetectedSignal,
  type MessageView,
  type SignalKind,
  type SignalSettings,
} from '../src/modules/signals/detectors/index.js';

const DATA_DIR = fileURLToPath(new URL('../eval/signals/', import.meta.url));
const SPLITS = ['tuning', 'held-out', 'held-out-2'] as const;
const MIN_PRECISION = 0.9;
const MIN_RECALL = 0.85;
const MIN_EXACT_DUE = 0.95;

type Direction = 'in' | 'out' | 'note' | 'bot';
type LabelledMessage = [string, Direction, string, string, { attachments?: boolean }?];
interface Expected {
  kind: SignalKind;
  rule?: 'sentiment';
  messages: string[];
  due_at?: string;
}
interface LabelledConversation {
  id: string;
  project: string;
  status: string;
  contact: string;
  now: string;
  messages: LabelledMessage[];
  expected: Expected[];
}

interface Tally {
  tp: number;
  fp: number;
  fn: number;
  dueCompared: number;
  dueExact: number;
  citedComplete: number;
}
const emptyTally = (): Tally => ({
  tp: 0,
  fp: 0,
  fn: 0,
  dueCompared: 0,
  dueExact: 0,
  citedComplete: 0,
});

const DIRECTIONS: Record<Direction, Pick<MessageView, 'direction' | 'author'>> = {
  in: { direction: 'inbound', author: { kind: 'contact', id: 'client', name: null } },
  out: { direction: 'outbound', author: { kind: 'user', id: 'studio', name: 'Studio' } },
  note: { direction: 'note', author: { kind: 'user', id: 'studio', name: 'Studio' } },
  bot: { direction: 'outbound', author: { kind: 'bot', id: 'bot', name: 'Bot' } },
};

export function toView(conversation: LabelledConversation): ConversationView {
  return {
    conversation: {
      id: conversation.id,
      status: conversation.status,
      contact: { id: `${conversation.id}:contact`, name: conversation.contact },
      last_activity_at: null,
    },
    messages: conversation.messages.map(([id, dir, at, text, extra]) => ({
      id: `${conversation.id}:${id}`,
      ...DIRECTIONS[dir],
      text,
      created_at: new Date(at).toISOString(),
      has_attachments: extra?.attachments === true,
    })),
  };
}

const ruleOf = (signal: DetectedSignal) =>
  signal.kind === 'risk' && signal.attributes.rule === 'sentiment' ? 'sentiment' : 'phrase';
const sameInstant = (a: string | undefined, b: string | undefined) =>
  a === undefined || b === undefined ? a === b : Date.parse(a) === Date.parse(b);

interface Finding {
  split: string;
  conversation: LabelledConversation;
  kind: SignalKind;
  note: string;
}

async function loadSplit(split: string): Promise<LabelledConversation[]> {
  const file = path.join(DATA_DIR, `${split}.json`);
  const data = JSON.parse(await readFile(file, 'utf8')) as {
    conversations: LabelledConversation[];
  };
  return data.conversations;
}

function evaluate(
  split: string,
  conversations: LabelledConversation[],
  projects: Record<string, Partial<SignalSettings>>,
  tallies: Map<SignalKind, Tally>,
  findings: Finding[],
) {
  for (const conversation of conversations) {
    const settings = projects[conversation.project];
    if (!settings) throw new Error(`${conversation.id}: unknown project ${conversation.project}`);
    const run = runDetectors({
      settings,
      now: conversation.now,
      conversations: [toView(conversation)],
    });
    const detected = [...run.signals];
    for (const expected of conversation.expected) {
      const tally = tallies.get(expected.kind)!;
      const primary = `${conversation.id}:${expected.messages[0]}`;
      const candidates = detected.filter(
        (s) =>
          s.kind === expected.kind &&
          (expected.kind !== 'risk' || ruleOf(s) === (expected.rule ?? 'phrase')) &&
          s.evidence_refs[0]?.ref === primary,
      );
      // Two dates in one message are two signals with one primary message: pair by due date first.
      const chosen =
        candidates.find((s) => sameInstant(expected.due_at, s.due_at)) ?? candidates[0];
      const index = chosen ? detected.indexOf(chosen) : -1;
      if (index < 0) {
        tally.fn += 1;
        findings.push({
          split,
          conversation,
          kind: expected.kind,
          note: `missed ${JSON.stringify(expected)}`,
        });
        continue;
      }
      const [match] = detected.splice(index, 1);
      tally.tp += 1;
      const refs = new Set(match!.evidence_refs.map((r) => r.ref));
      if (expected.messages.every((m) => refs.has(`${conversation.id}:${m}`)))
        tally.citedComplete += 1;
      if (expected.due_at !== undefined || match!.due_at !== undefined) {
        tally.dueCompared += 1;
        if (sameInstant(expected.due_at, match!.due_at)) tally.dueExact += 1;
        else
          findings.push({
            split,
            conversation,
            kind: expected.kind,
            note: `due ${match!.due_at ?? 'none'} expected ${expected.due_at ? new Date(expected.due_at).toISOString() : 'none'} (${expected.messages[0]})`,
          });
      }
    }
    for (const extra of detected) {
      tallies.get(extra.kind)!.fp += 1;
      findings.push({
        split,
        conversation,
        kind: extra.kind,
        note: `false alarm ${extra.evidence_refs[0]?.ref}: ${extra.title}`,
      });
    }
  }
}

const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
const pct = (x: number) => x.toFixed(3);

function report(
  label: string,
  conversations: number,
  messages: number,
  tallies: Map<SignalKind, Tally>,
) {
  console.log(`\n${label}: ${conversations} conversations, ${messages} messages`);
  console.log(
    'detector          expected  found   tp  fp  fn  precision  recall  exact_due  cited_all',
  );
  const total = emptyTally();
  for (const kind of SIGNAL_KINDS) {
    const t = tallies.get(kind)!;
    for (const key of Object.keys(total) as (keyof Tally)[]) total[key] += t[key];
    console.log(
      `${kind.padEnd(17)} ${String(t.tp + t.fn).padStart(8)} ${String(t.tp + t.fp).padStart(6)} ${String(t.tp).padStart(4)} ${String(t.fp).padStart(3)} ${String(t.fn).padStart(3)}` +
        `  ${pct(ratio(t.tp, t.tp + t.fp)).padStart(9)}  ${pct(ratio(t.tp, t.tp + t.fn)).padStart(6)}  ${`${t.dueExact}/${t.dueCompared}`.padStart(9)}  ${`${t.citedComplete}/${t.tp}`.padStart(9)}`,
    );
  }
  console.log(
    `${'all'.padEnd(17)} ${String(total.tp + total.fn).padStart(8)} ${String(total.tp + total.fp).padStart(6)} ${String(total.tp).padStart(4)} ${String(total.fp).padStart(3)} ${String(total.fn).padStart(3)}` +
      `  ${pct(ratio(total.tp, total.tp + total.fp)).padStart(9)}  ${pct(ratio(total.tp, total.tp + total.fn)).padStart(6)}  ${pct(ratio(total.dueExact, total.dueCompared)).padStart(9)}  ${`${total.citedComplete}/${total.tp}`.padStart(9)}`,
  );
  return total;
}

async function main() {
  const verbose = process.argv.includes('--verbose');
  const { projects } = JSON.parse(await readFile(path.join(DATA_DIR, 'projects.json'), 'utf8')) as {
    projects: Record<string, Partial<SignalSettings>>;
  };
  const overall = new Map(SIGNAL_KINDS.map((k) => [k, emptyTally()] as const));
  const findings: Finding[] = [];
  let allConversations = 0;
  let allMessages = 0;
  for (const split of SPLITS) {
    const conversations = await loadSplit(split);
    const tallies = new Map(SIGNAL_KINDS.map((k) => [k, emptyTally()] as const));
    evaluate(split, conversations, projects, tallies, findings);
    const messages = conversations.reduce((n, c) => n + c.messages.length, 0);
    report(split, conversations.length, messages, tallies);
    for (const [kind, t] of tallies) {
      const o = overall.get(kind)!;
      for (const key of Object.keys(o) as (keyof Tally)[]) o[key] += t[key];
    }
    allConversations += conversations.length;
    allMessages += messages;
  }
  const total = report('all', allConversations, allMessages, overall);

  if (verbose) {
    console.log('\nfindings:');
    for (const f of findings)
      console.log(`  [${f.split}] ${f.conversation.id} ${f.kind}: ${f.note}`);
  }

  const failures: string[] = [];
  for (const kind of SIGNAL_KINDS) {
    const t = overall.get(kind)!;
    const precision = ratio(t.tp, t.tp + t.fp);
    const recall = ratio(t.tp, t.tp + t.fn);
    if (precision < MIN_PRECISION)
      failures.push(`${kind} precision ${pct(precision)} < ${MIN_PRECISION}`);
    if (recall < MIN_RECALL) failures.push(`${kind} recall ${pct(recall)} < ${MIN_RECALL}`);
  }
  const exactDue = ratio(total.dueExact, total.dueCompared);
  if (exactDue < MIN_EXACT_DUE)
    failures.push(`exact due dates ${pct(exactDue)} < ${MIN_EXACT_DUE}`);
  if (failures.length > 0) {
    console.log(`\nFAIL: ${failures.join('; ')}`);
    process.exitCode = 1;
  } else {
    console.log(
      `\nPASS: every detector at precision >= ${MIN_PRECISION} and recall >= ${MIN_RECALL}; exact due dates ${pct(exactDue)} >= ${MIN_EXACT_DUE}`,
    );
  }
}

await main();
