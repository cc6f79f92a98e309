// @module-tag no-database
import { describe, expect, it } from 'vitest';
import { findMoney } from '../../../src/modules/signals/detectors/amounts.js';
import { detectorContext, detectPayments } from '../../../src/modules/signals/detectors/index.js';
import { conversation, highlighted, LONDON, MOSCOW } from './factories.js';

describe('amounts', () => {
  it.each([
    ['Счёт на 120 000 ₽', 120000, 'RUB'],
    ['45 тыс. руб.', 45000, 'RUB'],
    ['150000 р.', 150000, 'RUB'],
    ['$2,500', 2500, 'USD'],
    ['€1.200,50', 1200.5, 'EUR'],
    ['3 000 USD', 3000, 'USD'],
    ['EUR 1 200', 1200, 'EUR'],
  ])('%s → %d %s', (text, amount, currency) => {
    expect(findMoney(text)).toMatchObject([{ amount, currency }]);
  });
});

describe('payment', () => {
  it('tracks a Russian invoice with amount and due date, overdue when no payment is mentioned', () => {
    const view = conversation([
      [
        'out',
        '2025-12-01T15:20:00+03:00',
        'Направляем счёт №214 на 180 000 ₽ за второй этап. Оплатить нужно до 10 декабря.',
      ],
      ['out', '2025-12-11T12:00:00+03:00', 'Напоминаю про счёт №214 — срок оплаты прошёл.'],
    ]);
    const open = detectPayments(view, detectorContext(MOSCOW, '2025-12-05T12:00:00+03:00'));
    expect(open.signals).toHaveLength(1);
    const [invoice] = open.signals;
    expect(invoice!.attributes).toMatchObject({
      event: 'invoice',
      invoice_number: '214',
      amount: 180000,
      currency: 'RUB',
    });
    expect(invoice!.due_at).toBe(new Date('2025-12-10T19:00:00+03:00').toISOString());
    expect(invoice!.severity).toBe('info');
    expect(invoice!.evidence_refs[0]!.ref).toBe(view.messages[0]!.id);

    const overdue = detectPayments(view, detectorContext(MOSCOW, '2025-12-12T12:00:00+03:00'));
    expect(overdue.signals.map((s) => s.severity)).toEqual(['warning']);
    expect(overdue.signals[0]!.fingerprint).toBe(invoice!.fingerprint);
  });

  it('counts the due date in working days across a weekend ("в течение 3 рабочих дней")', () => {
    const view = conversation([
      [
        'out',
        '2025-12-10T13:00:00+03:00',
        'Во вложении счёт на оплату — 240 000 руб. Просим оплатить в течение 3 рабочих дней.',
      ],
    ]);
    const run = detectPayments(view, detectorContext(MOSCOW, '2025-12-11T12:00:00+03:00'));
    expect(run.signals[0]!.due_at).toBe(new Date('2025-12-15T19:00:00+03:00').toISOString());
  });

  it('resolves an English invoice when the client reports paying it, and reports the payment', () => {
    const view = conversation([
      [
        'out',
        '2025-12-02T11:00:00Z',
        'Please find attached invoice #INV-2041 for €4,800. Payment is due within 14 days.',
      ],
      [
        'in',
        '2025-12-15T16:00:00Z',
        'Just to let you know the payment of €4,800 has been made today.',
      ],
    ]);
    const run = detectPayments(view, detectorContext(LONDON, '2025-12-18T10:00:00Z'));
    expect(run.signals).toHaveLength(1);
    expect(run.signals[0]!.attributes).toMatchObject({
      event: 'payment',
      amount: 4800,
      currency: 'EUR',
    });
    expect(highlighted(run.signals[0]!)).toBe('payment of €4,800 has been made');
    expect(run.resolutions[0]!.why).toContain(view.messages[1]!.id);
  });

  it('keeps an invoice open after a part payment', () => {
    const view = conversation([
      [
        'out',
        '2025-12-16T15:00:00+03:00',
        'Отправили вам акт и счёт на 95 000 ₽, оплата в течение 5 банковских дней.',
      ],
      [
        'in',
        '2025-12-23T17:00:00+03:00',
        'Оплатили пока половину, остальное переведём после Нового года.',
      ],
    ]);
    const run = detectPayments(view, detectorContext(MOSCOW, '2025-12-24T12:00:00+03:00'));
    expect(run.signals.map((s) => s.attributes.event).sort()).toEqual(['invoice', 'payment']);
  });

  it('does not fire on false friends of "счёт" and "paid", or on a payment that has not happened', () => {
    const view = conversation([
      ['in', '2025-12-03T12:40:00+03:00', 'Доставку сделаем за счёт нашего курьера.'],
      ['in', '2025-12-03T12:41:00+03:00', 'Насчёт доработок: учтём их в счёт следующего этапа.'],
      ['in', '2025-12-03T12:42:00+03:00', 'Это третий по счёту вариант.'],
      ['out', '2025-12-03T12:43:00+03:00', 'Выставим счёт после согласования.'],
      ['in', '2025-12-03T12:44:00+03:00', 'Our team paid special attention to the lighting.'],
      [
        'in',
        '2025-12-03T12:45:00+03:00',
        'Please take into account that the account manager changed.',
      ],
      [
        'in',
        '2025-12-03T12:46:00+03:00',
        'Счёт ещё не оплатили, бухгалтерия оплатит в понедельник.',
      ],
      ['in', '2025-12-03T12:47:00+03:00', "Invoice #58 hasn't been paid yet on our side."],
      ['out', '2025-12-03T12:48:00+03:00', 'Счёт должен быть оплачен до 15.12.'],
    ]);
    expect(
      detectPayments(view, detectorContext(MOSCOW, '2025-12-04T12:00:00+03:00')).signals,
    ).toEqual([]);
  });
});
