// @module-tag no-database
import { describe, expect, it } from 'vitest';
import {
  detectorContext,
  detectRisks,
  sentimentScore,
} from '../../../src/modules/signals/detectors/index.js';
import { conversation, highlighted, MOSCOW } from './factories.js';

const now = detectorContext(MOSCOW, '2025-12-20T12:00:00+03:00');

function classify(text: string) {
  const run = detectRisks(conversation([['in', '2025-12-19T10:00:00+03:00', text]]), now);
  return run.signals.map((s) => ({
    severity: s.severity,
    class: s.attributes.class,
    phrase: highlighted(s),
  }));
}

describe('risk phrases', () => {
  it.each([
    ['Если не будет результата, мы расторгнем договор.', 'critical', 'cancellation', 'расторгнем'],
    ['Верните нам аванс, пожалуйста.', 'critical', 'refund', 'Верните нам аванс'],
    ['Будем разговаривать с юристами.', 'critical', 'legal', 'юристами'],
    ['Мы разочарованы сроками и качеством.', 'warning', 'complaint', 'разочарованы'],
    ['Напишу вашему руководителю.', 'warning', 'escalation', 'вашему руководителю'],
    ['Срочно! Пропала форма заявки.', 'warning', 'urgency', 'Срочно'],
    ['Пришлите, пожалуйста, поскорее.', 'info', 'mild_urgency', 'поскорее'],
    ['At this point I want a refund.', 'critical', 'refund', 'refund'],
    [
      'Our leadership is considering other agencies for phase 2.',
      'critical',
      'cancellation',
      'considering other agencies',
    ],
    ['Honestly, this is unacceptable.', 'warning', 'complaint', 'unacceptable'],
    ["If it's late again I'll escalate this.", 'warning', 'escalation', 'escalate'],
    ['This is urgent, can someone check ASAP?', 'warning', 'urgency', 'urgent'],
  ])('%s → %s (%s)', (text, severity, cls, phrase) => {
    expect(classify(text)).toEqual([{ severity, class: cls, phrase }]);
  });

  it('one signal per message at its strongest class', () => {
    expect(classify('Срочно верните деньги, иначе пойдём в суд!')).toMatchObject([
      { severity: 'critical' },
    ]);
  });

  it('does not fire on negated, quoted, signature or studio text', () => {
    for (const text of [
      'По первому этапу претензий нет, всё принимаем.',
      'No rush, but could you send the deck when you can?',
      'Not urgent at all.',
      'Looks good.\n\nBest regards,\nLucy | Urgent matters: call +44 20 7946 0000',
      'Happy holidays!\n\nOn Wed, Dec 17, 2025 at 4:02 PM Studio <hello@studio.com> wrote:\n> We can refund the unused hours.',
      'Hi Sue, thanks for the files!',
    ]) {
      expect(classify(text), text).toEqual([]);
    }
    const studio = conversation([
      ['out', '2025-12-19T10:00:00+03:00', 'Срочно исправим, извините!'],
    ]);
    expect(detectRisks(studio, now).signals).toEqual([]);
  });
});

describe('sentiment turning negative', () => {
  it('scores messages with a small lexicon, negation flipping a positive word', () => {
    expect(sentimentScore('Спасибо, всё отлично!')).toBeGreaterThan(0);
    expect(sentimentScore('Not great, the layout is confusing.')).toBeLessThan(0);
    expect(sentimentScore('Ок, принято.')).toBe(0);
  });

  it('fires when the last two client messages are negative after a positive start, in either language', () => {
    const ru = conversation([
      ['in', '2025-12-01T10:00:00+03:00', 'Спасибо за концепции, всё очень здорово!'],
      ['in', '2025-12-03T12:00:00+03:00', 'Отлично, ждём с нетерпением.'],
      ['in', '2025-12-11T10:00:00+03:00', 'Честно, стало хуже. Цвета блеклые.'],
      ['in', '2025-12-18T16:00:00+03:00', 'Опять ошибки в макетах, это проблема.'],
    ]);
    const turn = detectRisks(ru, now).signals.filter((s) => s.attributes.rule === 'sentiment');
    expect(turn).toHaveLength(1);
    expect(turn[0]!.evidence_refs.map((r) => r.ref)).toEqual([
      ru.messages[2]!.id,
      ru.messages[3]!.id,
    ]);

    const en = conversation([
      ['in', '2025-12-01T10:00:00Z', 'Love the first concepts, great work!'],
      ['in', '2025-12-03T11:00:00Z', 'Thanks, excited to see it.'],
      ['in', '2025-12-09T09:30:00Z', 'Hmm, the colours feel wrong and the layout is confusing.'],
      ['in', '2025-12-16T14:00:00Z', 'Still waiting on the rework. The delay is a problem for us.'],
    ]);
    expect(detectRisks(en, now).signals.some((s) => s.attributes.rule === 'sentiment')).toBe(true);
  });

  it('does not fire for a conversation that was negative all along, or turned positive', () => {
    const steady = conversation([
      ['in', '2025-12-01T10:00:00Z', 'The delay is a problem.'],
      ['in', '2025-12-02T10:00:00Z', 'Still waiting.'],
      ['in', '2025-12-03T10:00:00Z', 'Wrong colours again.'],
      ['in', '2025-12-04T10:00:00Z', 'Still broken.'],
    ]);
    expect(detectRisks(steady, now).signals.some((s) => s.attributes.rule === 'sentiment')).toBe(
      false,
    );
    const better = conversation([
      ['in', '2025-12-01T10:00:00Z', 'Thanks!'],
      ['in', '2025-12-02T10:00:00Z', 'Great.'],
      ['in', '2025-12-03T10:00:00Z', 'Wrong colours again.'],
      ['in', '2025-12-04T10:00:00Z', 'Perfect now, thank you!'],
    ]);
    expect(detectRisks(better, now).signals.some((s) => s.attributes.rule === 'sentiment')).toBe(
      false,
    );
  });
});
