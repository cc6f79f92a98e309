import { detectAwaitingReply } from './awaiting-reply.js';
import { detectClientDeadlines } from './client-deadline.js';
import { detectCommitments } from './commitment.js';
import { detectorContext, type DetectorContext } from './context.js';
import { detectPayments } from './payment.js';
import { detectRisks } from './risk.js';
import {
  detectStalledConversation,
  detectStalledDeal,
  detectStalledIssue,
  detectStalledTask,
} from './stalled.js';
import type {
  AttioDealView,
  AttioTaskView,
  ConversationView,
  DetectorRun,
  LinearIssueView,
  SignalKind,
  SignalSettings,
} from './types.js';

/** Every conversation detector, in the order their signals are listed. */
const CONVERSATION_DETECTORS: [
  SignalKind,
  (view: ConversationView, ctx: DetectorContext) => DetectorRun,
][] = [
  ['awaiting_reply', detectAwaitingReply],
  ['commitment', detectCommitments],
  ['client_deadline', detectClientDeadlines],
  ['payment', detectPayments],
  ['risk', detectRisks],
  ['stalled', detectStalledConversation],
];

export interface DetectorBatch {
  /** The project's settings; what is omitted takes the defaults (settings.ts). */
  settings: Partial<SignalSettings>;
  /** The evaluation time: time-based conditions (targets, due dates, silences) are judged at it. */
  now: Date | string;
  conversations?: ConversationView[];
  linear_issues?: LinearIssueView[];
  attio_tasks?: AttioTaskView[];
  attio_deals?: AttioDealView[];
  /**
   * Incremental runs: the ids of the conversations, issues, tasks and deals that changed (new or
   * edited rows); only those are evaluated, the rest of the batch is skipped without being read.
   * Omitted: everything given is evaluated (the first run, and the scheduled re-evaluation).
   */
  changed?: ReadonlySet<string>;
  /** A subset of detectors to run; all by default. */
  detectors?: readonly SignalKind[];
}

function merge(into: DetectorRun, part: DetectorRun): void {
  into.signals.push(...part.signals);
  into.resolutions.push(...part.resolutions);
  into.evaluated.push(...part.evaluated);
  if (part.next_check_at && (!into.next_check_at || part.next_check_at < into.next_check_at)) {
    into.next_check_at = part.next_check_at;
  }
}

/**
 * Runs the detectors over a batch of one project's rows: the entry point for ingest (with
 * `changed`), for the scheduled re-evaluation (without), for the eval and the bench.
 * Pure: the same batch and `now` give the same output, fingerprints included.
 */
export function runDetectors(batch: DetectorBatch): DetectorRun {
  const ctx = detectorContext(batch.settings, batch.now);
  const wanted = new Set<SignalKind>(
    batch.detectors ?? CONVERSATION_DETECTORS.map(([kind]) => kind),
  );
  const include = (id: string) => !batch.changed || batch.changed.has(id);
  const run: DetectorRun = { signals: [], resolutions: [], evaluated: [], next_check_at: null };
  for (const view of batch.conversations ?? []) {
    if (!include(view.conversation.id)) continue;
    for (const [kind, detect] of CONVERSATION_DETECTORS) {
      if (wanted.has(kind)) merge(run, detect(view, ctx));
    }
  }
  if (wanted.has('stalled')) {
    for (const issue of batch.linear_issues ?? [])
      if (include(issue.id)) merge(run, detectStalledIssue(issue, ctx));
    for (const task of batch.attio_tasks ?? [])
      if (include(task.id)) merge(run, detectStalledTask(task, ctx));
    for (const deal of batch.attio_deals ?? [])
      if (include(deal.id)) merge(run, detectStalledDeal(deal, ctx));
  }
  return run;
}
