import { wordRegex } from './text.js';

/**
 * Phrase classes shared by more than one detector. Patterns run on prepared text (lower case,
 * `ё` folded to `е`, `’` to `'`), so they are written that way.
 */

/**
 * The studio promising to do something: Russian first-person future (perfective) verbs and "будет
 * готово"-style outcomes; English "we'll / I will / we're going to …" (not followed by a negation
 * or an absence such as "we'll be out of office"), "… will be ready", "you'll have", "get back to you";
 * a delivery date relayed from a supplier ("the printer confirmed delivery on January 6").
 */
export const PROMISE = wordRegex(
  [
    'пришлем|пришлю|отправим|отправлю|вышлем|вышлю|направим|направлю|скинем|скину|передадим|передам',
    'подготовим|подготовлю|сделаем|сделаю|доделаем|доделаю|доработаем|доработаю|переделаем|переделаю',
    'закончим|закончу|сдадим|сдам|внесем|внесу|поправим|поправлю|исправим|исправлю|обновим|обновлю',
    'покажем|покажу|выложим|выложу|загрузим|загружу|соберем|соберу|нарисуем|нарисую|сверстаем',
    'запустим|опубликуем|согласуем|предоставим|предоставлю|дадим|успеем|обещаем|постараемся|постараюсь',
    'напишем|напишу|вернемся|вернусь|свяжемся|свяжусь|перезвоним|перезвоню|выставим|выставлю',
    'будет готов[аоы]?|будут готовы|будет у вас|будут у вас',
    "(?:we|i)(?:'ll| will| shall|'re going to| are going to|'m going to| am going to)(?!\\s+(?:not|never|be (?:out|away|off|on (?:holiday|vacation|leave)|unable)))",
    "(?:it|they|this|that|everything|the(?: [a-z]+){1,3})(?:'ll| will) be (?:ready|done|finished|delivered|sent|with you|live|up)",
    "you(?:'ll| will) (?:have|get|receive|see)|expect (?:it|them|the [a-z]+) (?:by|on|before)|get back to you",
    // A delivery date the studio relays from its supplier is the studio's promise too.
    '(?:confirmed|scheduled|planned) (?:the )?delivery|delivery (?:is )?(?:confirmed|scheduled|planned)|доставк\\p{L}* (?:подтвердил\\p{L}*|запланирован\\p{L}*)|подтвердил\\p{L}* доставку',
  ].join('|'),
);

/** A negation right before a phrase ("не отправили", "haven't sent", "not yet paid"). */
const NEGATION_BEFORE =
  /(?:(?:^|[^\p{L}'])(?:не|ни|нет|not|never|yet to)|n't)\s+(?:(?:yet|еще|пока|been|be)\s+)?$/u;

export function negatedBefore(norm: string, start: number): boolean {
  return NEGATION_BEFORE.test(norm.slice(Math.max(0, start - 16), start));
}
