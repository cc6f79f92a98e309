import { businessDayMinutes, formatLocal, workingMinutesBetween } from './calendar.js';
import {
  conversationSubject,
  earliest,
  orderedMessages,
  startRun,
  type DetectorContext,
} from './context.js';
import { findMoney, type Money } from './amounts.js';
import { findDateMentions } from './dates.js';
import { fingerprint } from './fingerprint.js';
import { PROMISE, negatedBefore } from './phrases.js';
import {
  evidenceRef,
  excerpt,
  findAll,
  findFirst,
  isQuestion,
  prepareText,
  sentences,
  wordRegex,
  type Match,
  type PreparedText,
} from './text.js';
import type { ConversationView, DetectedSignal, DetectorRun, MessageView } from './types.js';

export const PAYMENT_VERSION = '1';

/**
 * An invoice the studio sends. "Счёт" alone is never enough: it is also "за счёт" (at the
 * expense of), "в счёт" (towards), "насчёт"/"на счёт" (about), "по счёту" (by count), a bank
 * account ("расчётный счёт", "на ваш счёт") or a score. It must carry a number ("счёт №45"), a
 * purpose ("счёт на оплату", "счёт-фактура"), an amount ("счёт на 120 000 ₽"), or be the object
 * of a sending verb ("выставили счёт", "счёт во вложении"). English "invoice" is unambiguous.
 */
const INVOICE = wordRegex(
  [
    'сч[её]т(?:а|у)?\\s*(?:№|#|n|номер)\\s*[\\p{L}\\d/-]+',
    'сч[её]т(?:а|ов)?(?:-|\\s+на\\s+)?фактур\\p{L}*|сч[её]т(?:а|ов)? на оплату|сч[её]т(?:а)? к оплате',
    'сч[её]т(?:а)? на (?:сумму )?\\d+|сч[её]т(?:а)? в размере',
    '(?:выставили|выставил|выставила|выставляем|направляем|направили|отправляем|отправили|высылаем|выслали|прикладываем|приложили|прикрепляем|прикрепили|прилагаю|прилагаем)\\s+(?:вам\\s+)?(?:новый\\s+|повторно\\s+|обновленный\\s+|исправленный\\s+|финальный\\s+)?сч[её]т\\p{L}*',
    'сч[её]т(?:а)?\\s+(?:во вложении|в приложении|прикрепил\\p{L}*|приложил\\p{L}*|отправил\\p{L}*|выставил\\p{L}*)',
    'вот сч[её]т|инвойс\\p{L}*|invoice(?:s|d)?(?:\\s*(?:no\\.?|number|#)\\s*[\\w/-]+)?',
  ].join('|'),
);
/** The invoice's number, looked for after "счёт"/"invoice" in the same sentence. */
const INVOICE_NUMBER =
  /(?:сч[её]т\p{L}*|invoice|инвойс\p{L}*)[^.!?\n]{0,20}?(?:№|#|(?<![\p{L}])(?:n|номер|no\.?|number)(?![\p{L}]))\s*([\p{L}\d/-]*\d[\p{L}\d/-]*)/u;

/**
 * Money that has moved: "оплатили", "оплата прошла", "получили оплату", "paid", "payment sent",
 * "we've transferred". Not after a negation ("ещё не оплатили", "hasn't been paid") and not in a
 * question ("оплатили?").
 */
const PAID = wordRegex(
  [
    'оплатили|оплатил|оплатила|оплачено|оплачен|оплачены|оплата прошла|оплата поступила|оплату получили',
    'получили оплату|получили ваш платеж|получили платеж|получили аванс|получили предоплату|деньги (?:пришли|поступили|ушли)',
    '(?:перевели|перечислили)\\s+(?:вам\\s+)?(?:деньги|оплату|аванс|предоплату|платеж|сумму|остаток|\\d+)|платеж прошел|платеж отправлен|провели оплату|произвели оплату|внесли (?:предоплату|аванс|оплату)',
    '(?:оплат[ау]|аванс|предоплат[ау]|деньги)(?: [\\p{L}\\d]+){0,4} (?:отправили|перевели|провели|внесли|сделали)',
    "paid|(?:we've|we have|have|has) (?:just |now |already |today )?(?:transferred|wired)|(?:sent|made) the payment",
    '(?:оплат[ау]|аванс|предоплат[ау]|деньги|платеж)(?: [\\p{L}\\d]+){0,3} (?:получили|пришл[аи]|поступил[аи]?)',
    'payment(?: of [^.!?\\n]{1,24}?)? (?:has been |was |is )?(?:sent|made|completed|received|processed|done)',
    'payment went through|received (?:your|the) payment|transfer (?:is |was )?(?:done|complete)',
  ].join('|'),
);
/** "Paid" as a word inside other meanings: "paid attention", "paid off" (it worked), "unpaid". */
const PAID_FALSE_FRIEND =
  /^paid (?:\p{L}+ )?(?:attention|off|ads?|media|search|social|tier|plan|version|subscription)/u;
/** Part of the sum: the invoice stays open for the rest. */
const PARTIAL = wordRegex(
  'половин\\p{L}*|част\\p{L}*|частично|первую часть|первый транш|half|part of|partial\\p{L}*|first instal\\p{L}*',
);
/** "должен быть оплачен", "will be paid", "to be paid": a payment expected, not one made. */
const MODAL_BEFORE =
  /(?:должен быть|должна быть|должно быть|должны быть|нужно|надо|будет|будут|to be|must be|should be|will be|needs to be|need to be|can be)\s+(?:\p{L}+\s+)?$/u;
/** A sentence that states when to pay: the due date of an invoice. */
const PAY_BY = wordRegex(
  'оплат\\p{L}*|срок\\p{L}*|до|не позднее|due|pay\\p{L}*|by|before|within|в течение',
);

interface Invoice {
  message: MessageView;
  prepared: PreparedText;
  key: string;
  match: Match;
  money: Money | null;
  number: string | null;
  due: Date | null;
}

function inFact(prepared: PreparedText, hit: Match): boolean {
  const bounds = sentences(prepared.own);
  const sentence = bounds.find((s) => hit.start >= s.start && hit.start < s.end);
  if (!sentence || isQuestion(prepared.own, sentence)) return false;
  return !negatedBefore(prepared.norm, hit.start);
}

function nearestMoney(prepared: PreparedText, hit: Match): Money | null {
  const money = findMoney(prepared.own);
  let best: Money | null = null;
  for (const m of money) {
    if (!best || Math.abs(m.start - hit.start) < Math.abs(best.start - hit.start)) best = m;
  }
  return best;
}

function findInvoice(message: MessageView, ctx: DetectorContext): Invoice | null {
  const prepared = prepareText(message.text);
  const hit = findAll(INVOICE, prepared.norm).find((h) => inFact(prepared, h));
  if (!hit) return null;
  const bounds = sentences(prepared.own);
  const sentence = bounds.find((s) => hit.start >= s.start && hit.start < s.end)!;
  // "Выставим счёт завтра" is a promise (the commitment detector's), not an invoice yet.
  const promise = findFirst(PROMISE, prepared.norm, sentence.start, sentence.end);
  if (promise && promise.start < hit.start + 30 && !/во вложении|attached/.test(prepared.norm))
    return null;
  const number =
    INVOICE_NUMBER.exec(prepared.norm.slice(sentence.start, sentence.end))?.[1] ?? null;
  let due: Date | null = null;
  for (const mention of findDateMentions(
    prepared,
    new Date(message.created_at),
    ctx.calendar,
    bounds,
  )) {
    const before = prepared.norm.slice(Math.max(0, mention.start - 6), mention.start);
    // "счёт №45 от 01.12" dates the invoice; it is not when to pay.
    if (
      /(?:от|dated|issued)\s*$/u.test(before) ||
      /^от\s/u.test(prepared.norm.slice(mention.start, mention.end))
    )
      continue;
    const s = bounds.find((b) => mention.start >= b.start && mention.start < b.end);
    if (s && findFirst(PAY_BY, prepared.norm, s.start, mention.end)) {
      due = mention.due;
      break;
    }
  }
  return {
    message,
    prepared,
    key: number ? `no:${number.toLowerCase()}` : `msg:${message.id}`,
    match: hit,
    money: nearestMoney(prepared, hit),
    number,
    due,
  };
}

function findPayment(
  message: MessageView,
): { prepared: PreparedText; match: Match; money: Money | null; partial: boolean } | null {
  const prepared = prepareText(message.text);
  const hit = findAll(PAID, prepared.norm).find(
    (h) =>
      inFact(prepared, h) &&
      !MODAL_BEFORE.test(prepared.norm.slice(Math.max(0, h.start - 30), h.start)) &&
      !PAID_FALSE_FRIEND.test(prepared.norm.slice(h.start)) &&
      !/un$/.test(prepared.norm.slice(h.start - 2, h.start)),
  );
  if (!hit) return null;
  const sentence = sentences(prepared.own).find((s) => hit.start >= s.start && hit.start < s.end);
  const partial = sentence
    ? findFirst(PARTIAL, prepared.norm, sentence.start, sentence.end) !== null
    : false;
  return { prepared, match: hit, money: nearestMoney(prepared, hit), partial };
}

function moneyText(money: Money | null): string {
  return money ? `${money.amount.toLocaleString('en-US')} ${money.currency}` : 'amount not stated';
}

/**
 * `payment`: invoices the studio sent and payments reported by either side. An invoice is info
 * until its due date (when the message states one), overdue (warning, critical five business
 * days on) after it with no payment mentioned since; a later payment mention resolves it. A
 * payment mention is an info signal of its own (someone should check it arrived).
 */
export function detectPayments(view: ConversationView, ctx: DetectorContext): DetectorRun {
  const subjectKey = view.conversation.id;
  const run = startRun('payment', subjectKey);
  const messages = orderedMessages(view).filter((m) => m.direction !== 'note');
  const invoices = new Map<string, Invoice>();
  const payments: { message: MessageView; found: NonNullable<ReturnType<typeof findPayment>> }[] =
    [];
  for (const message of messages) {
    if (message.direction === 'outbound') {
      const invoice = findInvoice(message, ctx);
      // A reminder of invoice №45 is the same invoice: the first message stays the evidence.
      if (invoice && !invoices.has(invoice.key)) invoices.set(invoice.key, invoice);
      else if (invoice && invoice.due && !invoices.get(invoice.key)!.due)
        invoices.get(invoice.key)!.due = invoice.due;
    }
    const paid = findPayment(message);
    if (paid) payments.push({ message, found: paid });
  }
  let nextCheck: Date | null = null;
  for (const invoice of invoices.values()) {
    const id = fingerprint('payment', subjectKey, 'invoice', invoice.key);
    // A part payment ("оплатили пока половину") leaves the invoice open for the rest.
    const settled = payments.find(
      (p) =>
        !p.found.partial &&
        Date.parse(p.message.created_at) > Date.parse(invoice.message.created_at),
    );
    if (settled) {
      run.resolutions.push({
        fingerprint: id,
        detector: 'payment',
        subject_key: subjectKey,
        why: `payment reported in ${settled.message.id} at ${settled.message.created_at}`,
        evidence_ref: settled.message.id,
      });
      continue;
    }
    run.signals.push(invoiceSignal(view, ctx, invoice, id));
    if (invoice.due && invoice.due > ctx.now) nextCheck = earliest(nextCheck, invoice.due);
  }
  for (const { message, found } of payments) {
    const who = message.direction === 'inbound' ? 'The client reports' : 'The studio confirms';
    run.signals.push({
      kind: 'payment',
      severity: 'info',
      title: `Payment: ${moneyText(found.money)}`,
      detail: `${who} a payment: "${excerpt(message.text, 160)}"`,
      subject: conversationSubject(view),
      evidence_refs: [
        evidenceRef({
          source: 'cw_messages',
          ref: message.id,
          text: message.text,
          match: found.match,
          at: message.created_at,
        }),
      ],
      detector: 'payment',
      detector_version: PAYMENT_VERSION,
      fingerprint: fingerprint('payment', subjectKey, 'paid', message.id),
      subject_key: subjectKey,
      attributes: {
        event: 'payment',
        partial: found.partial,
        amount: found.money?.amount ?? null,
        currency: found.money?.currency ?? null,
      },
    });
  }
  run.next_check_at = nextCheck?.toISOString() ?? null;
  return run;
}

function invoiceSignal(
  view: ConversationView,
  ctx: DetectorContext,
  invoice: Invoice,
  id: string,
): DetectedSignal {
  const { calendar, now } = ctx;
  const overdue = invoice.due !== null && now >= invoice.due;
  const critical = 5 * businessDayMinutes(calendar);
  const late = overdue ? workingMinutesBetween(calendar, invoice.due!, now, critical) : 0;
  const label = invoice.number ? `Invoice №${invoice.number}` : 'Invoice';
  return {
    kind: 'payment',
    severity: !overdue ? 'info' : late >= critical ? 'critical' : 'warning',
    title: `${overdue ? 'Overdue: ' : ''}${label}, ${moneyText(invoice.money)}${invoice.due ? `, due ${formatLocal(calendar, invoice.due)}` : ''}`,
    detail: `The studio sent "${excerpt(invoice.message.text, 160)}" (${formatLocal(calendar, new Date(invoice.message.created_at))}); no payment mentioned since.`,
    ...(invoice.due ? { due_at: invoice.due.toISOString() } : {}),
    subject: conversationSubject(view),
    evidence_refs: [
      evidenceRef({
        source: 'cw_messages',
        ref: invoice.message.id,
        text: invoice.message.text,
        match: invoice.match,
        at: invoice.message.created_at,
      }),
    ],
    detector: 'payment',
    detector_version: PAYMENT_VERSION,
    fingerprint: id,
    subject_key: view.conversation.id,
    attributes: {
      event: 'invoice',
      invoice_number: invoice.number,
      amount: invoice.money?.amount ?? null,
      currency: invoice.money?.currency ?? null,
      overdue,
    },
  };
}
