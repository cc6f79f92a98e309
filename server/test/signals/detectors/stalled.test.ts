// @module-tag no-database
import { describe, expect, it } from 'vitest';
import {
  detectorContext,
  detectStalledConversation,
  detectStalledDeal,
  detectStalledIssue,
  detectStalledTask,
} from '../../../src/modules/signals/detectors/index.js';
import { conversation, MOSCOW, NEW_YORK } from './factories.js';

describe('stalled conversations', () => {
  const quiet = conversation([
    ['out', '2025-12-12T15:00:00+03:00', 'Отправили вам КП по редизайну.', { attachments: true }],
    ['note', '2025-12-15T15:05:00+03:00', 'Напомнить через неделю.'],
  ]);

  it('fires after N calendar days without a message either way (a note is not contact), citing the last message', () => {
    expect(
      detectStalledConversation(quiet, detectorContext(MOSCOW, '2025-12-17T14:00:00+03:00'))
        .signals,
    ).toEqual([]);
    const run = detectStalledConversation(
      quiet,
      detectorContext(MOSCOW, '2025-12-17T15:00:00+03:00'),
    );
    expect(run.signals).toHaveLength(1);
    expect(run.signals[0]!.evidence_refs[0]!.ref).toBe(quiet.messages[0]!.id);
    expect(run.signals[0]!.severity).toBe('warning');
    const long = detectStalledConversation(
      quiet,
      detectorContext(MOSCOW, '2025-12-23T15:00:00+03:00'),
    );
    expect(long.signals[0]!.severity).toBe('critical');
  });

  it('resolves the silence when activity resumes, in English too', () => {
    const stalled = conversation([
      ['in', '2025-12-05T11:30:00-05:00', "Thanks! We'll review and get back to you."],
    ]);
    const ctx = detectorContext(NEW_YORK, '2025-12-19T10:00:00-05:00');
    const fingerprint = detectStalledConversation(stalled, ctx).signals[0]!.fingerprint;
    const resumed = conversation([
      ['in', '2025-12-05T11:30:00-05:00', "Thanks! We'll review and get back to you."],
      ['in', '2025-12-18T09:00:00-05:00', "We're ready for phase two."],
    ]);
    const run = detectStalledConversation(resumed, ctx);
    expect(run.signals).toEqual([]);
    expect(run.resolutions.map((r) => r.fingerprint)).toContain(fingerprint);
  });

  it('does not fire for a resolved or snoozed conversation, or when the client awaits a reply', () => {
    const ctx = detectorContext(MOSCOW, '2025-12-30T12:00:00+03:00');
    expect(
      detectStalledConversation(
        conversation([['out', '2025-12-01T10:00:00+03:00', 'Готово.']], { status: 'resolved' }),
        ctx,
      ).signals,
    ).toEqual([]);
    expect(
      detectStalledConversation(
        conversation([['out', '2025-12-01T10:00:00+03:00', 'Готово.']], { status: 'snoozed' }),
        ctx,
      ).signals,
    ).toEqual([]);
    expect(
      detectStalledConversation(
        conversation([['in', '2025-12-01T10:00:00+03:00', 'Когда будут макеты?']]),
        ctx,
      ).signals,
    ).toEqual([]);
  });
});

describe('stalled work in Linear and Attio', () => {
  const ctx = detectorContext(MOSCOW, '2025-12-10T12:00:00+03:00');
  const issue = {
    id: 'issue-1',
    identifier: 'DES-142',
    url: 'https://linear.app/studio/issue/DES-142',
    title: 'Сверстать лендинг',
    state_type: 'started',
    due_date: '2025-12-08',
    customer: { id: 'c1', name: 'Вектор' },
  };

  it('flags a Linear issue past its due date (end of that day in the project zone) until completed', () => {
    const run = detectStalledIssue(issue, ctx);
    expect(run.signals[0]).toMatchObject({
      kind: 'stalled',
      due_at: new Date('2025-12-08T19:00:00+03:00').toISOString(),
      subject: { linear_issue_id: 'issue-1' },
      evidence_refs: [
        {
          source: 'lin_issues',
          ref: 'issue-1',
          meta: { deep_link: 'https://linear.app/studio/issue/DES-142' },
        },
      ],
    });
    const done = detectStalledIssue({ ...issue, state_type: 'completed' }, ctx);
    expect(done.signals).toEqual([]);
    expect(done.resolutions[0]!.fingerprint).toBe(run.signals[0]!.fingerprint);
    expect(detectStalledIssue({ ...issue, state_type: 'canceled' }, ctx).signals).toEqual([]);
    expect(detectStalledIssue({ ...issue, due_date: '2025-12-10' }, ctx).signals).toEqual([]);
    expect(detectStalledIssue({ ...issue, due_date: null }, ctx).signals).toEqual([]);
  });

  it('flags an Attio task past deadline_at until completed', () => {
    const task = {
      id: 't1',
      content: 'Send the contract',
      deadline_at: '2025-12-09T09:00:00Z',
      is_completed: false,
    };
    expect(detectStalledTask(task, ctx).signals[0]).toMatchObject({
      subject: { attio_task_id: 't1' },
      evidence_refs: [{ source: 'att_tasks', ref: 't1', meta: {} }],
    });
    expect(detectStalledTask({ ...task, is_completed: true }, ctx).signals).toEqual([]);
    expect(
      detectStalledTask({ ...task, deadline_at: '2025-12-11T09:00:00Z' }, ctx).signals,
    ).toEqual([]);
  });

  it('flags an open deal with no activity for N days, never a won or lost one', () => {
    const deal = {
      id: 'd1',
      name: 'Rebrand 2026',
      web_url: 'https://app.attio.com/studio/deals/d1',
      stage: { title: 'Proposal sent' },
      value: { amount: 1200000, currency: 'RUB' },
      last_activity_at: '2025-11-20T10:00:00Z',
      created_at: '2025-11-01T10:00:00Z',
    };
    expect(detectStalledDeal(deal, ctx).signals[0]).toMatchObject({
      evidence_refs: [{ source: 'external', ref: 'https://app.attio.com/studio/deals/d1' }],
    });
    expect(detectStalledDeal({ ...deal, stage: { title: 'Won 🎉' } }, ctx).signals).toEqual([]);
    expect(detectStalledDeal({ ...deal, stage: { title: 'Проиграна' } }, ctx).signals).toEqual([]);
    expect(
      detectStalledDeal({ ...deal, last_activity_at: '2025-12-01T10:00:00Z' }, ctx).signals,
    ).toEqual([]);
  });
});
