import {
  clientName,
  conversationSubject,
  orderedMessages,
  startRun,
  type DetectorContext,
} from './context.js';
import { fingerprint } from './fingerprint.js';
import { negatedBefore } from './phrases.js';
import { evidenceRef, excerpt, findAll, prepareText, wordRegex, type Match } from './text.js';
import type {
  ConversationView,
  DetectedSignal,
  DetectorRun,
  MessageView,
  Severity,
} from './types.js';

export const RISK_VERSION = '1';

export type RiskClass =
  'cancellation' | 'refund' | 'legal' | 'complaint' | 'escalation' | 'urgency' | 'mild_urgency';

/**
 * Phrase classes of a client message, strongest first. Cancellation, refund and legal threats
 * are critical (the engagement or money is at stake); complaints and escalations are warnings;
 * strong urgency ("срочно", "ASAP") is a warning and mild urgency ("поскорее") is info.
 */
const CLASSES: { risk: RiskClass; severity: Severity; re: RegExp }[] = [
  {
    risk: 'cancellation',
    severity: 'critical',
    re: wordRegex(
      [
        'расторг\\p{L}*|расторжени\\p{L}*|отказываемся от (?:ваших )?(?:услуг|работы|сотрудничества|проекта)',
        'прекращаем (?:сотрудничество|работу|проект)|прекратить сотрудничество|разорвать договор',
        'отменяем (?:заказ|проект|работы|договор)|отменить (?:заказ|проект|договор)|уходим к другому подрядчику|ищем другого подрядчика',
        'cancel(?:l?ing|l?ed)? (?:the |our )?(?:contract|project|order|engagement|subscription|retainer)',
        'terminat(?:e|ing) (?:the |our )?(?:contract|agreement|engagement)|end(?:ing)? (?:our|the) (?:contract|engagement|collaboration)',
        'pull(?:ing)? the plug|another agency|find another (?:agency|studio|vendor)',
        // Switching vendors: "considering other agencies", "смотрим других подрядчиков".
        '(?:considering|looking at|talking to|switch(?:ing)? to|move to|moving to) (?:other|another|a different|a new) (?:agenc|studio|studios|vendor|supplier|partner)\\p{L}*',
        '(?:рассматриваем|смотрим|ищем|выбираем) (?:других|другую|другого|новых|нового|новую) (?:подрядчик|студи|агентств|исполнител)\\p{L}*',
      ].join('|'),
    ),
  },
  {
    risk: 'refund',
    severity: 'critical',
    re: wordRegex(
      [
        'верн\\p{L}* (?:нам )?(?:деньги|аванс|предоплату|оплату|средства)|возврат\\p{L}* (?:денег|средств|аванса|предоплаты|оплаты)',
        'refund\\p{L}*|money back|chargeback|reimburse\\p{L}*',
      ].join('|'),
    ),
  },
  {
    risk: 'legal',
    severity: 'critical',
    re: wordRegex(
      [
        'юрист\\p{L}*|адвокат\\p{L}*|в суд|через суд|судебн\\p{L}*|иск\\p{L}{0,2}|претензи(?:я|ю|ей|и)|досудебн\\p{L}*',
        'lawyer\\p{L}*|attorney\\p{L}*|legal action|legal team|sue (?:you|your|the)|suing|lawsuit|breach of contract|take (?:this|it|you) to court',
      ].join('|'),
    ),
  },
  {
    risk: 'escalation',
    severity: 'warning',
    re: wordRegex(
      [
        '(?:вашему|вашим|вашего|вашей) (?:руководител\\p{L}*|директор\\p{L}*|начальств\\p{L}*|руководств\\p{L}*)',
        '(?:свяжите|соедините) (?:меня |нас )?с (?:руководител\\p{L}*|директор\\p{L}*)|жалоб\\p{L}*|пожалуюсь|пожалуемся',
        'escalat\\p{L}*|(?:speak|talk) (?:to|with) (?:your|the) (?:manager|boss|ceo|director|supervisor)|your (?:boss|ceo|supervisor)',
        'formal complaint|file a complaint',
        '(?:speak|talk) (?:to|with) (?:someone|somebody|whoever|the person|a person) (?:more senior|senior|in charge|who manages|that manages|manages|responsible)',
        '(?:поговорить|связаться|пообщаться) с (?:тем|кем-то|кем-нибудь),? (?:кто|кто-то) (?:отвечает|руководит|главный)',
      ].join('|'),
    ),
  },
  {
    risk: 'complaint',
    severity: 'warning',
    re: wordRegex(
      [
        'недовол\\p{L}*|не устраива\\p{L}*|разочарова\\p{L}*|ужасн\\p{L}*|кошмар\\p{L}*|безобрази\\p{L}*|неприемлем\\p{L}*',
        'это не то,? что мы (?:просили|заказывали|хотели)|сколько можно|опять (?:ошибк\\p{L}*|задерж\\p{L}*|переносите|сорвали)',
        'сорвали (?:срок\\p{L}*|дедлайн)|нарушили срок\\p{L}*|подвели нас|очень плохо|плохое качество|низкое качество',
        'unhappy|disappointed|disappointing|unacceptable|not acceptable|frustrat\\p{L}*|terrible|awful|poor quality',
        'this is not what we asked|not what we (?:asked|ordered|paid) for|missed (?:the|our|another) deadline|let us down|fed up',
        'стало (?:только )?хуже|выглядит дешево|дешево выглядит|got worse|looks cheap|worse than (?:before|the last)',
        '(?:is|are|was|becoming) (?:a |an )?(?:real |big |serious |major )?(?:problem|issue) for us|это (?:для нас )?(?:большая |серьезная |реальная )?проблема',
      ].join('|'),
    ),
  },
  {
    risk: 'urgency',
    severity: 'warning',
    re: wordRegex(
      'срочн\\p{L}*|немедленно|горит|asap|a\\.s\\.a\\.p|urgent\\p{L}*|immediately|right away',
    ),
  },
  {
    risk: 'mild_urgency',
    severity: 'info',
    re: wordRegex(
      'поскорее|побыстрее|как можно скорее|as soon as possible|as soon as you can|quickly|at your earliest convenience',
    ),
  },
];
/** "Претензий нет", "no complaints", "not urgent" are the opposite of a risk. */
const NEGATED_AFTER = /^(?:\p{L}*\s+)?(?:нет|не имеем|не будет)(?![\p{L}])/u;
const NOT_RISK = wordRegex(
  'без претензий|не срочно|несрочно|not urgent|no rush|no complaints|no hurry',
);

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export interface RiskHit {
  risk: RiskClass;
  severity: Severity;
  match: Match;
}

export function findRisks(text: string): RiskHit[] {
  const prepared = prepareText(text);
  const excluded = findAll(NOT_RISK, prepared.norm);
  const hits: RiskHit[] = [];
  for (const cls of CLASSES) {
    for (const match of findAll(cls.re, prepared.norm)) {
      if (excluded.some((e) => match.start >= e.start && match.start < e.end)) continue;
      if (negatedBefore(prepared.norm, match.start)) continue;
      if (NEGATED_AFTER.test(prepared.norm.slice(match.end).trimStart())) continue;
      hits.push({ risk: cls.risk, severity: cls.severity, match });
    }
  }
  return hits;
}

// ------------------------------------------------------------------------------------------
// Sentiment: a small lexicon, documented in docs/signals.md ("risk: sentiment").
// ------------------------------------------------------------------------------------------

const POSITIVE = wordRegex(
  [
    'спасибо|благодар\\p{L}*|отличн\\p{L}*|супер|здорово|класс\\p{L}*|круто|прекрасн\\p{L}*|нравится|понравил\\p{L}*|замечательн\\p{L}*|великолепн\\p{L}*|доволен|довольны|рады|радует|ура',
    'thanks|thank you|great|love|loved|perfect|excellent|awesome|amazing|nice|happy|glad|wonderful|brilliant',
  ].join('|'),
);
const NEGATIVE = wordRegex(
  [
    'плохо|плох\\p{L}*|не нравится|не понравил\\p{L}*|недовол\\p{L}*|ужасн\\p{L}*|разочарова\\p{L}*|неприемлем\\p{L}*|проблем\\p{L}*|ошибк\\p{L}*',
    'хуже|дешево|блекл\\p{L}*|опять|снова|задерж\\p{L}*|сорвал\\p{L}*|не работает|не то|странн\\p{L}*|непонятн\\p{L}*|сколько можно|до сих пор|где (?:же )?(?:макеты|результат|файлы)|безобрази\\p{L}*',
    "worse|cheap|bad|wrong|issue|issues|problem\\p{L}*|disappoint\\p{L}*|unhappy|delay\\p{L}*|again|terrible|awful|frustrat\\p{L}*|not happy|still (?:waiting|no)|doesn't work|broken|confus\\p{L}*",
  ].join('|'),
);

/**
 * A message's mood: +1 per positive word, −1 per negative one and per risk phrase other than
 * urgency; a positive word right after a negation ("не отлично", "not great") counts as
 * negative. Only the client's own text counts.
 */
export function sentimentScore(text: string): number {
  const { norm } = prepareText(text);
  let score = 0;
  for (const m of findAll(POSITIVE, norm)) score += negatedBefore(norm, m.start) ? -1 : 1;
  score -= findAll(NEGATIVE, norm).length;
  // A complaint, cancellation, refund or legal phrase is negative whatever words it uses.
  score -= findRisks(text).filter((h) => h.risk !== 'urgency' && h.risk !== 'mild_urgency').length;
  return score;
}

/** The window looked at: the client's last messages. */
const SENTIMENT_WINDOW = 6;

/**
 * Sentiment turning negative: among the client's last six messages, the last two both score
 * below zero while at least two before them scored zero or above. One signal per downturn, keyed
 * on the first negative message of the run.
 */
function sentimentTurn(inbound: MessageView[]): { negative: MessageView[] } | null {
  const window = inbound.slice(-SENTIMENT_WINDOW);
  if (window.length < 4) return null;
  const scores = window.map((m) => sentimentScore(m.text));
  const n = scores.length;
  if (!(scores[n - 1]! < 0 && scores[n - 2]! < 0)) return null;
  let firstNegative = n - 2;
  while (firstNegative > 0 && scores[firstNegative - 1]! < 0) firstNegative -= 1;
  const before = scores.slice(0, firstNegative);
  if (before.length < 2 || before.some((s) => s < 0)) return null;
  return { negative: window.slice(firstNegative) };
}

/**
 * `risk`: phrases of risk in the client's messages (one signal per message, at the severity of
 * its strongest class, citing that phrase), plus sentiment turning negative across the last
 * messages (a warning).
 */
export function detectRisks(view: ConversationView, _ctx: DetectorContext): DetectorRun {
  const subjectKey = view.conversation.id;
  const run = startRun('risk', subjectKey);
  const inbound = orderedMessages(view).filter((m) => m.direction === 'inbound');
  for (const message of inbound) {
    const hits = findRisks(message.text);
    if (hits.length === 0) continue;
    const top = hits.reduce((a, b) => (RANK[b.severity] > RANK[a.severity] ? b : a));
    const classes = [...new Set(hits.map((h) => h.risk))];
    run.signals.push({
      kind: 'risk',
      severity: top.severity,
      title: `${label(top.risk)} from ${clientName(view)}: "${excerpt(message.text.slice(top.match.start, top.match.end + 60), 70)}"`,
      detail: `"${excerpt(message.text, 200)}" (${classes.map(label).join(', ').toLowerCase()})`,
      subject: conversationSubject(view),
      evidence_refs: [
        evidenceRef({
          source: 'cw_messages',
          ref: message.id,
          text: message.text,
          match: top.match,
          at: message.created_at,
        }),
      ],
      detector: 'risk',
      detector_version: RISK_VERSION,
      fingerprint: fingerprint('risk', message.id),
      subject_key: subjectKey,
      attributes: { rule: 'phrase', class: top.risk, classes: classes.join(',') },
    });
  }
  const turn = sentimentTurn(inbound);
  if (turn) run.signals.push(sentimentSignal(view, turn.negative));
  return run;
}

function sentimentSignal(view: ConversationView, negative: MessageView[]): DetectedSignal {
  const first = negative[0]!;
  return {
    kind: 'risk',
    severity: 'warning',
    title: `${clientName(view)}'s tone turned negative`,
    detail: `The client's last ${negative.length} messages read negative after a neutral or positive start: "${excerpt(negative[negative.length - 1]!.text, 140)}"`,
    subject: conversationSubject(view),
    evidence_refs: negative.map((m) =>
      evidenceRef({ source: 'cw_messages', ref: m.id, text: m.text, at: m.created_at }),
    ),
    detector: 'risk',
    detector_version: RISK_VERSION,
    fingerprint: fingerprint('risk', view.conversation.id, 'sentiment', first.id),
    subject_key: view.conversation.id,
    attributes: { rule: 'sentiment', class: 'sentiment', classes: 'sentiment' },
  };
}

function label(risk: RiskClass | 'sentiment'): string {
  return {
    cancellation: 'Cancellation',
    refund: 'Refund',
    legal: 'Legal threat',
    complaint: 'Complaint',
    escalation: 'Escalation',
    urgency: 'Urgent',
    mild_urgency: 'Asked to hurry',
    sentiment: 'Sentiment',
  }[risk];
}
