import { DateTime } from 'luxon';
import { unansweredMessages } from './awaiting-reply.js';
import {
  businessDayMinutes,
  endOfBusinessOn,
  formatLocal,
  workingMinutesBetween,
} from './calendar.js';
import {
  clientName,
  conversationSubject,
  orderedMessages,
  startRun,
  type DetectorContext,
} from './context.js';
import { fingerprint } from './fingerprint.js';
import { evidenceRef, excerpt } from './text.js';
import type {
  AttioDealView,
  AttioTaskView,
  ConversationView,
  DetectedSignal,
  DetectorRun,
  LinearIssueView,
  SignalEvidenceRef,
  SignalSubject,
} from './types.js';

export const STALLED_VERSION = '1';

/**
 * The subject key of a Linear issue, Attio task or deal is its row id after this prefix; the
 * loader (signals/load-views.ts) reads the rows of open signals by it, so one that closed is seen.
 */
export const STALLED_SUBJECT_PREFIX = {
  linear_issue: 'linear:',
  attio_task: 'attio_task:',
  attio_deal: 'attio_deal:',
} as const;

const DAY_MS = 86_400_000;
/** Chatwoot statuses in which a conversation is still being worked (snoozed was put off on purpose). */
const OPEN_STATUSES = new Set(['open', 'pending']);
const CLOSED_STAGE =
  /\b(?:won|lost|closed|churned|cancel+ed)\b|выигран|проигран|закрыт|отказ|успешно реализован/i;

function stalledSignal(
  fields: Pick<
    DetectedSignal,
    'severity' | 'title' | 'detail' | 'subject' | 'evidence_refs' | 'fingerprint' | 'subject_key'
  > & {
    due_at?: string;
    attributes: DetectedSignal['attributes'];
  },
): DetectedSignal {
  return { kind: 'stalled', detector: 'stalled', detector_version: STALLED_VERSION, ...fields };
}

/**
 * An open conversation with no activity (a message either way; notes do not count) for `stalled_days`
 * calendar days, unless it is waiting for the studio's reply (that is `awaiting_reply`'s signal,
 * not a second one). Keyed on the last message, so a conversation that wakes up and falls
 * silent again is a new condition; each earlier silence that activity ended is resolved.
 */
export function detectStalledConversation(
  view: ConversationView,
  ctx: DetectorContext,
): DetectorRun {
  const subjectKey = view.conversation.id;
  const run = startRun('stalled', subjectKey);
  // Activity is what passes between the studio and the client: a private note is not contact.
  const messages = orderedMessages(view).filter((m) => m.direction !== 'note');
  const limit = ctx.settings.stalled_days * DAY_MS;
  for (let i = 0; i + 1 < messages.length; i += 1) {
    const gap = Date.parse(messages[i + 1]!.created_at) - Date.parse(messages[i]!.created_at);
    if (gap >= limit) {
      run.resolutions.push({
        fingerprint: fingerprint('stalled', subjectKey, messages[i]!.id),
        detector: 'stalled',
        subject_key: subjectKey,
        why: `activity resumed with ${messages[i + 1]!.id}`,
        evidence_ref: messages[i + 1]!.id,
      });
    }
  }
  const last = messages[messages.length - 1];
  const anchor = last?.id ?? 'conversation';
  const id = fingerprint('stalled', subjectKey, anchor);
  const status = view.conversation.status ?? 'open';
  if (!OPEN_STATUSES.has(status)) {
    run.resolutions.push({
      fingerprint: id,
      detector: 'stalled',
      subject_key: subjectKey,
      why: `the conversation is ${status}`,
    });
    return run;
  }
  // Chatwoot's own last_activity_at also moves for notes and status changes; it stands in only
  // for a conversation whose messages were not given.
  const since = last?.created_at ?? view.conversation.last_activity_at;
  if (!since) return run;
  const lastActivity = Date.parse(since);
  const stalledAt = new Date(lastActivity + limit);
  if (ctx.now < stalledAt) {
    run.next_check_at = stalledAt.toISOString();
    return run;
  }
  if (unansweredMessages(view).waiting.length > 0) return run;
  const days = Math.floor((ctx.now.getTime() - lastActivity) / DAY_MS);
  run.signals.push(
    stalledSignal({
      severity: days >= 2 * ctx.settings.stalled_days ? 'critical' : 'warning',
      title: `No activity with ${clientName(view)} since ${formatLocal(ctx.calendar, new Date(lastActivity))}`,
      detail: last
        ? `The last message (${formatLocal(ctx.calendar, new Date(last.created_at))}): "${excerpt(last.text, 140)}"`
        : 'The conversation has had no messages.',
      subject: conversationSubject(view),
      evidence_refs: [
        last
          ? evidenceRef({
              source: 'cw_messages',
              ref: last.id,
              text: last.text,
              at: last.created_at,
            })
          : evidenceRef({ source: 'cw_conversations', ref: subjectKey, text: clientName(view) }),
      ],
      fingerprint: id,
      subject_key: subjectKey,
      attributes: { target: 'conversation' },
    }),
  );
  return run;
}

function withDeepLink(ref: SignalEvidenceRef, url: string | null | undefined): SignalEvidenceRef {
  return url ? { ...ref, meta: { ...ref.meta, deep_link: url } } : ref;
}

function overdueSeverity(ctx: DetectorContext, due: Date) {
  const critical = 5 * businessDayMinutes(ctx.calendar);
  return workingMinutesBetween(ctx.calendar, due, ctx.now, critical) >= critical
    ? 'critical'
    : 'warning';
}

/** A Linear issue past its due date (the end of business on that day) and neither completed nor canceled. */
export function detectStalledIssue(issue: LinearIssueView, ctx: DetectorContext): DetectorRun {
  const subjectKey = STALLED_SUBJECT_PREFIX.linear_issue + issue.id;
  const run = startRun('stalled', subjectKey);
  if (!issue.due_date) return run;
  const id = fingerprint('stalled', subjectKey, issue.due_date);
  const done = ['completed', 'canceled'].includes(issue.state_type) || !!issue.archived_at;
  if (done) {
    run.resolutions.push({
      fingerprint: id,
      detector: 'stalled',
      subject_key: subjectKey,
      why: `the issue is ${issue.archived_at ? 'archived' : issue.state_type}`,
    });
    return run;
  }
  const day = DateTime.fromISO(issue.due_date, { zone: ctx.calendar.zone });
  if (!day.isValid) return run;
  const due = endOfBusinessOn(ctx.calendar, day).toJSDate();
  if (ctx.now < due) {
    run.next_check_at = due.toISOString();
    return run;
  }
  const subject: SignalSubject = { linear_issue_id: issue.id };
  if (issue.organization_id) subject.organization_id = issue.organization_id;
  const snippet = `${issue.identifier} ${issue.title}`;
  run.signals.push(
    stalledSignal({
      severity: overdueSeverity(ctx, due),
      title: `${issue.identifier} is past its due date (${issue.due_date})`,
      detail: `"${excerpt(issue.title, 120)}" is ${issue.state_type}${issue.customer ? ` for ${issue.customer.name}` : ''}${issue.project ? ` in ${issue.project.name}` : ''}.`,
      due_at: due.toISOString(),
      subject,
      evidence_refs: [
        {
          source: 'lin_issues',
          ref: issue.id,
          snippet,
          meta: {
            match: [0, issue.identifier.length],
            ...(issue.url ? { deep_link: issue.url } : {}),
          },
        },
      ],
      fingerprint: id,
      subject_key: subjectKey,
      attributes: { target: 'linear_issue', state_type: issue.state_type, url: issue.url ?? null },
    }),
  );
  return run;
}

/** An Attio task past `deadline_at` and not completed. */
export function detectStalledTask(task: AttioTaskView, ctx: DetectorContext): DetectorRun {
  const subjectKey = STALLED_SUBJECT_PREFIX.attio_task + task.id;
  const run = startRun('stalled', subjectKey);
  if (!task.deadline_at) return run;
  const id = fingerprint('stalled', subjectKey, new Date(task.deadline_at).toISOString());
  if (task.is_completed) {
    run.resolutions.push({
      fingerprint: id,
      detector: 'stalled',
      subject_key: subjectKey,
      why: 'the task was completed',
    });
    return run;
  }
  const due = new Date(task.deadline_at);
  if (ctx.now < due) {
    run.next_check_at = due.toISOString();
    return run;
  }
  const subject: SignalSubject = { attio_task_id: task.id };
  if (task.person_id) subject.person_id = task.person_id;
  if (task.organization_id) subject.organization_id = task.organization_id;
  if (task.deal_id) subject.attio_deal_id = task.deal_id;
  run.signals.push(
    stalledSignal({
      severity: overdueSeverity(ctx, due),
      title: `Task past its deadline: "${excerpt(task.content, 70)}"`,
      detail: `Due ${formatLocal(ctx.calendar, due)} and not completed.`,
      due_at: due.toISOString(),
      subject,
      evidence_refs: [
        withDeepLink(
          evidenceRef({ source: 'att_tasks', ref: task.id, text: task.content }),
          task.url,
        ),
      ],
      fingerprint: id,
      subject_key: subjectKey,
      attributes: { target: 'attio_task' },
    }),
  );
  return run;
}

/** An open deal (not in a won/lost/closed stage) with no activity for `deal_stalled_days` days. */
export function detectStalledDeal(deal: AttioDealView, ctx: DetectorContext): DetectorRun {
  const subjectKey = STALLED_SUBJECT_PREFIX.attio_deal + deal.id;
  const run = startRun('stalled', subjectKey);
  const lastActivity = new Date(deal.last_activity_at ?? deal.created_at);
  const id = fingerprint('stalled', subjectKey, lastActivity.toISOString());
  const closed = deal.stage?.is_closed ?? CLOSED_STAGE.test(deal.stage?.title ?? '');
  if (closed) {
    run.resolutions.push({
      fingerprint: id,
      detector: 'stalled',
      subject_key: subjectKey,
      why: `the deal is ${deal.stage?.title ?? 'closed'}`,
    });
    return run;
  }
  const stalledAt = new Date(lastActivity.getTime() + ctx.settings.deal_stalled_days * DAY_MS);
  if (ctx.now < stalledAt) {
    run.next_check_at = stalledAt.toISOString();
    return run;
  }
  const days = Math.floor((ctx.now.getTime() - lastActivity.getTime()) / DAY_MS);
  const subject: SignalSubject = { attio_deal_id: deal.id };
  if (deal.person_id) subject.person_id = deal.person_id;
  if (deal.organization_id) subject.organization_id = deal.organization_id;
  const value = deal.value
    ? `, ${deal.value.amount.toLocaleString('en-US')} ${deal.value.currency}`
    : '';
  const snippet = `${deal.name} — ${deal.stage?.title ?? 'no stage'}${value}`;
  run.signals.push(
    stalledSignal({
      severity: days >= 2 * ctx.settings.deal_stalled_days ? 'critical' : 'warning',
      title: `Deal "${excerpt(deal.name, 60)}" has had no activity since ${formatLocal(ctx.calendar, lastActivity)}`,
      detail: `Stage ${deal.stage?.title ?? 'unknown'}${value}; last activity ${formatLocal(ctx.calendar, lastActivity)}.`,
      subject,
      evidence_refs: [{ source: 'external', ref: deal.web_url, snippet, meta: {} }],
      fingerprint: id,
      subject_key: subjectKey,
      attributes: { target: 'attio_deal', stage: deal.stage?.title ?? null },
    }),
  );
  return run;
}
