import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';
import {
  atMinute,
  endOfBusinessOn,
  inZone,
  isWorkingDay,
  workingDayOnOrAfter,
  workingDayOnOrBefore,
  type BusinessCalendar,
} from './calendar.js';
import { findAll, wordRegex, type PreparedText } from './text.js';

/**
 * Dates in Russian and English text, resolved to instants in the project's zone relative to the
 * message's own time. chrono-node (its `ru` and `en` parsers) reads calendar dates, weekdays,
 * "tomorrow", "in 2 days", "Monday 3pm"; the rules below add what it lacks or reads in a way a
 * deadline should not be read. Each rule is documented in docs/signals.md ("Due dates"):
 *
 * - a date without a time of day is due at the END of the business day on that date;
 * - "к обеду", "до обеда", "by lunch" = 13:00; "утром", "в первой половине дня", "morning" =
 *   12:00 (the end of the morning); "днём", "во второй половине дня", "afternoon" = 17:00;
 *   "вечером", "к вечеру", "evening", "tonight" = 20:00;
 * - "first thing (Thursday)", "с самого утра" = the start of business hours;
 * - "до конца дня", "by EOD", "by COB", "end of day" = the end of business hours on the message's
 *   day, or on the next working day when the message came after hours or on a day off;
 * - "до конца недели", "by the end of the week", "by EOW", "на этой неделе", "this week" = the
 *   last working day of the message's week (Friday by default), end of business; the next
 *   week's when that has passed; "на следующей неделе", "next week" = the last working day of next
 *   week; "в начале (следующей) недели", "early next week" = its first working day;
 * - "к пятнице", "ко вторнику" (the dative chrono does not know) = the next such weekday;
 * - "20.12", "20.12.2025", "до 20/12" = day.month (the studio's convention, also in English text);
 * - "the 3rd", "on the 15th", "к 5 числу", "до 25-го" = the next such day of the month;
 * - "в течение 3 рабочих дней", "within 5 business days" = that many working days on, end of
 *   business; "в течение 3 дней", "within 3 days" = that many calendar days on.
 * A weekday named on that same weekday means next week's (as chrono reads it).
 * A date that resolves before the message itself is dropped: a deadline is never in the past.
 */
export interface DateMention {
  start: number;
  end: number;
  /** The resolved instant. */
  due: Date;
  /** Whether the text gave a time of day (or a part of day); false = end of business by rule. */
  timed: boolean;
}

interface Partial {
  start: number;
  end: number;
  day: DateTime | null;
  minute: number | null;
}

const WEEKDAYS_DATIVE: Record<string, number> = {
  понедельнику: 1,
  вторнику: 2,
  среде: 3,
  четвергу: 4,
  пятнице: 5,
  субботе: 6,
  воскресенью: 7,
};

// Parts of the day, as minutes after midnight (see the header).
const NOON = 12 * 60;
const LUNCH = 13 * 60;
const AFTERNOON = 17 * 60;
const EVENING = 20 * 60;
const EOD = -1; // the end of business hours, whatever they are
const SOB = -2; // the start of business hours

/** "Monday afternoon", "tomorrow morning": the bare part-of-day word counts after a day word. */
const AFTER_DAY_WORD =
  '(?<=(?:today|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday) )';
const PART_OF_DAY: { re: RegExp; minute: number }[] = [
  {
    re: wordRegex('first thing(?: in the morning)?|с самого утра|первым делом с утра'),
    minute: SOB,
  },
  {
    re: wordRegex(
      '(?:к|до) обеда?|к обеду|by lunch(?:time)?|before lunch|by noon|к полудню|до полудня',
    ),
    minute: LUNCH,
  },
  {
    re: wordRegex(`утром|с утра|в первой половине дня|in the morning|${AFTER_DAY_WORD}morning`),
    minute: NOON,
  },
  {
    re: wordRegex(`дн[её]м|во второй половине дня|in the afternoon|${AFTER_DAY_WORD}afternoon`),
    minute: AFTERNOON,
  },
  {
    re: wordRegex(
      `вечером|к вечеру|до вечера|in the evening|tonight|this evening|${AFTER_DAY_WORD}evening`,
    ),
    minute: EVENING,
  },
  {
    re: wordRegex(
      '(?:до|к) конц[ау] (?:рабочего )?дня|by (?:the )?end of (?:the )?(?:business |working )?day|by (?:eod|cob)|eod|cob|end of (?:the )?day|by close of business',
    ),
    minute: EOD,
  },
];

/** An explicit clock time after a date: "в среду до 18:00", "Monday by 3pm", "завтра в 11". */
const CLOCK = wordRegex(
  '(?:в|к|до|by|at|before|until|till|не позднее)\\s+(\\d{1,2})(?:[:.](\\d{2}))?\\s*(am|pm|a\\.m\\.|p\\.m\\.|утра|вечера|дня|ч(?:асов|аса)?\\.?)?',
);

const END_OF_WEEK = wordRegex(
  '(?:до|к) конц[ау] (?:этой |текущей )?недели|на этой неделе|by (?:the )?end of (?:the |this )?week|by eow|end of (?:the |this )?week|this week',
);
const NEXT_WEEK = wordRegex(
  '(?:до|к) конц[ау] следующей недели|на следующей неделе|на след\\.? неделе|by (?:the )?end of next week|next week',
);
const EARLY_NEXT_WEEK = wordRegex(
  'в начале (?:следующей )?недели|early next week|at the start of next week|beginning of next week',
);
const WEEKDAY_NAMES: Record<string, number> = {
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
  sunday: 7,
  понедельник: 1,
  вторник: 2,
  среду: 3,
  среда: 3,
  четверг: 4,
  пятницу: 5,
  пятница: 5,
  субботу: 6,
  суббота: 6,
  воскресенье: 7,
};
const WEEKDAY_WORD = Object.keys(WEEKDAY_NAMES).join('|');
const WEEKDAY_BEFORE = new RegExp(`(?<![\\p{L}])(${WEEKDAY_WORD}),?\\s+$`, 'u');
const WEEKDAY_AFTER = new RegExp(`^,?\\s+(?:в |во |on )?(${WEEKDAY_WORD})(?![\\p{L}])`, 'u');
const WEEKDAY_DATIVE = wordRegex(`(?:к|ко) (${Object.keys(WEEKDAYS_DATIVE).join('|')})`);
const NUMERIC_DATE = wordRegex(
  '(?:до|к|по|на|с|от|on|by|until|before|due|не позднее)\\s+(\\d{1,2})[./](\\d{1,2})(?:[./](\\d{4}|\\d{2}))?|(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4})',
);
const ORDINAL_DAY = wordRegex(
  '(?:on|by|before|until|for|from) the (\\d{1,2})(?:st|nd|rd|th)|(?:до|к|на|по) (\\d{1,2})(?:-?(?:го|е|му|ое))? числа|(?:до|к|на|по) (\\d{1,2})(?:-?(?:го|е|му|ое))? числу|(?:до|к|на|по|с) (\\d{1,2})-(?:го|е|му|ое)(?! (?:январ|феврал|март|апрел|ма[яй]|июн|июл|август|сентябр|октябр|ноябр|декабр))',
);
const WITHIN_DAYS = wordRegex(
  '(?:в течение|в течении|за|within|in) (\\d{1,2}|одного|двух|трех|пяти|one|two|three|five) (рабочих |банковских |business |working )?(?:дней|дня|день|days|day)',
);
const NUMBER_WORDS: Record<string, number> = {
  одного: 1,
  двух: 2,
  трех: 3,
  пяти: 5,
  one: 1,
  two: 2,
  three: 3,
  five: 5,
};

/**
 * Anything a date could be made of: a digit, a weekday or month stem, a relative day, a part of
 * day or one of the phrases above. Without one there is no mention to find.
 */
const DATE_HINT = new RegExp(
  [
    '\\d',
    'понедел|вторн|сред|четверг|пятниц|суббот|воскрес|январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр',
    'сегодн|завтра|вчера|через|недел|конц|обед|полуд|утр|вечер|дн[её]м|половин|числ|течени|одного|двух|трех|пяти',
    'mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|today|tomorrow|tonight|yesterday',
    'week|eod|eow|cob|close of business|end of|lunch|noon|morning|afternoon|evening|first thing|within|the \\w+(?:st|nd|rd|th)',
  ].join('|'),
);

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

/** The last working day of the ISO week that holds `day` (Friday for a Monday–Friday week). */
function lastWorkingDayOfWeek(calendar: BusinessCalendar, day: DateTime): DateTime {
  return workingDayOnOrBefore(calendar, day.startOf('week').plus({ days: 6 }));
}

function nextWeekday(from: DateTime, weekday: number): DateTime {
  const ahead = (weekday - from.weekday + 7) % 7 || 7;
  return from.startOf('day').plus({ days: ahead });
}

function customMentions(text: PreparedText, at: DateTime, calendar: BusinessCalendar): Partial[] {
  const norm = text.norm;
  const found: Partial[] = [];
  const today = at.startOf('day');
  const afterHours = () =>
    !isWorkingDay(calendar, today) || at >= atMinute(today, calendar.endMinute);

  for (const m of findAll(END_OF_WEEK, norm)) {
    let day = lastWorkingDayOfWeek(calendar, today);
    if (day < today || (day.hasSame(today, 'day') && afterHours())) {
      day = lastWorkingDayOfWeek(calendar, today.plus({ weeks: 1 }));
    }
    found.push({ start: m.start, end: m.end, day, minute: EOD });
  }
  for (const m of findAll(NEXT_WEEK, norm)) {
    const nextWeek = today.plus({ weeks: 1 }).startOf('week');
    // "Thursday next week", "в четверг на следующей неделе": that weekday of next week.
    const before = WEEKDAY_BEFORE.exec(norm.slice(Math.max(0, m.start - 18), m.start));
    const after = WEEKDAY_AFTER.exec(norm.slice(m.end, m.end + 18));
    const named = before ?? after;
    if (named) {
      const weekday = WEEKDAY_NAMES[named[1]!]!;
      found.push({
        start: before ? m.start - before[0].length + before.index : m.start,
        end: after && !before ? m.end + after[0].length : m.end,
        day: nextWeek.plus({ days: weekday - 1 }),
        minute: null,
      });
      continue;
    }
    found.push({
      start: m.start,
      end: m.end,
      day: lastWorkingDayOfWeek(calendar, nextWeek),
      minute: EOD,
    });
  }
  for (const m of findAll(EARLY_NEXT_WEEK, norm)) {
    found.push({
      start: m.start,
      end: m.end,
      day: workingDayOnOrAfter(calendar, today.plus({ weeks: 1 }).startOf('week')),
      minute: EOD,
    });
  }
  for (const m of findAll(WEEKDAY_DATIVE, norm)) {
    const word = /(\p{L}+)$/u.exec(m.text)?.[1] ?? '';
    const weekday = WEEKDAYS_DATIVE[word];
    if (weekday)
      found.push({ start: m.start, end: m.end, day: nextWeekday(today, weekday), minute: null });
  }
  NUMERIC_DATE.lastIndex = 0;
  for (let m = NUMERIC_DATE.exec(norm); m; m = NUMERIC_DATE.exec(norm)) {
    const slash = m[0].includes('/');
    // "12/20" in English is the American month/day that chrono reads; a slash is ours only in Russian.
    if (slash && !/[а-я]/.test(norm)) continue;
    const d = Number(m[1] ?? m[4]);
    const mo = Number(m[2] ?? m[5]);
    let y = m[3] ?? m[6];
    if (y && y.length === 2) y = `20${y}`;
    if (d < 1 || d > 31 || mo < 1 || mo > 12) continue;
    let day = DateTime.fromObject(
      { year: y ? Number(y) : today.year, month: mo, day: d },
      { zone: calendar.zone },
    );
    if (!day.isValid) continue;
    if (!y && day < today) day = day.plus({ years: 1 });
    found.push({ start: m.index, end: m.index + m[0].length, day, minute: null });
  }
  ORDINAL_DAY.lastIndex = 0;
  for (let m = ORDINAL_DAY.exec(norm); m; m = ORDINAL_DAY.exec(norm)) {
    const d = Number(m[1] ?? m[2] ?? m[3] ?? m[4]);
    if (d < 1 || d > 31) continue;
    let day = today.set({ day: Math.min(d, today.daysInMonth ?? 28) });
    if (day < today) {
      const next = today.plus({ months: 1 }).startOf('month');
      day = next.set({ day: Math.min(d, next.daysInMonth ?? 28) });
    }
    found.push({ start: m.index, end: m.index + m[0].length, day, minute: null });
  }
  WITHIN_DAYS.lastIndex = 0;
  for (let m = WITHIN_DAYS.exec(norm); m; m = WITHIN_DAYS.exec(norm)) {
    const n = NUMBER_WORDS[m[1]!] ?? Number(m[1]);
    if (!(n >= 1)) continue;
    let day = today;
    if (m[2]) {
      for (let left = n; left > 0;) {
        day = day.plus({ days: 1 });
        if (isWorkingDay(calendar, day)) left -= 1;
      }
    } else {
      day = today.plus({ days: n });
    }
    found.push({ start: m.index, end: m.index + m[0].length, day, minute: EOD });
  }
  return found;
}

function chronoMentions(
  text: PreparedText,
  at: DateTime,
  taken: Partial[],
  zone: string,
): Partial[] {
  // chrono computes in the process's local time; handing it the project's wall clock as a local
  // Date and reading back only the components keeps the result independent of the machine's zone.
  const reference = new Date(at.year, at.month - 1, at.day, at.hour, at.minute, at.second);
  const results: chrono.ParsedResult[] = [];
  if (/[а-яё]/i.test(text.own))
    results.push(...chrono.ru.parse(text.own, reference, { forwardDate: true }));
  if (/[a-z]/i.test(text.own))
    results.push(...chrono.en.parse(text.own, reference, { forwardDate: true }));
  const found: Partial[] = [];
  for (const result of results) {
    const span = { start: result.index, end: result.index + result.text.length };
    if (taken.some((t) => overlaps(t, span)) || found.some((f) => overlaps(f, span))) continue;
    const c = result.start;
    const hasDay = c.isCertain('day') || c.isCertain('weekday');
    const hasTime = c.isCertain('hour');
    // A month alone ("in March") or a bare number is not a deadline a person can act on.
    if (!hasDay && !hasTime) continue;
    // chrono reads "(к) концу дня"/"конца недели" as a day; the rules above own those phrases.
    if (/^(?:дня|недели|неделе)$/i.test(result.text.trim())) continue;
    // "сейчас уточняем", "we're now checking": the present moment is not a deadline.
    if (/^(?:сейчас|теперь|now|right now|currently)$/i.test(result.text.trim())) continue;
    const day = DateTime.fromObject(
      {
        year: c.get('year') ?? at.year,
        month: c.get('month') ?? at.month,
        day: c.get('day') ?? at.day,
      },
      { zone },
    );
    if (!day.isValid) continue;
    const minute = hasTime ? (c.get('hour') ?? 0) * 60 + (c.get('minute') ?? 0) : null;
    found.push({ ...span, day: hasDay || c.isCertain('day') ? day : hasTime ? null : day, minute });
  }
  return found;
}

/** A part of day or a clock time right after (or inside) a date mention refines its time. */
function refineTime(norm: string, mention: Partial, sentenceEnd: number): Partial {
  const windowEnd = Math.min(sentenceEnd, mention.end + 28);
  for (const part of PART_OF_DAY) {
    const hit = findAll(part.re, norm, mention.start, windowEnd)[0];
    if (hit && (mention.minute === null || hit.start >= mention.start)) {
      return { ...mention, end: Math.max(mention.end, hit.end), minute: part.minute };
    }
  }
  if (mention.minute === null) {
    // chrono's span may already hold the clock it did not read ("в среду до 18:00").
    CLOCK.lastIndex = mention.start;
    const clock = CLOCK.exec(norm);
    if (
      clock &&
      clock.index > mention.start &&
      clock.index < windowEnd &&
      norm.slice(mention.end, clock.index).trim().length <= 3
    ) {
      let hour = Number(clock[1]);
      const minute = Number(clock[2] ?? 0);
      const suffix = clock[3] ?? '';
      if (/^(?:pm|p\.m\.|вечера)$/.test(suffix) && hour < 12) hour += 12;
      if (suffix === 'дня' && hour < 12 && hour <= 6) hour += 12;
      if (hour <= 23 && minute <= 59 && (suffix !== '' || clock[2] !== undefined || hour >= 8)) {
        return { ...mention, end: clock.index + clock[0].length, minute: hour * 60 + minute };
      }
    }
  }
  return mention;
}

function resolve(mention: Partial, at: DateTime, calendar: BusinessCalendar): DateMention | null {
  let { day } = mention;
  const minute = mention.minute === SOB ? calendar.startMinute : mention.minute;
  if (!day) {
    // A time alone: today if still ahead, else tomorrow (chrono's forward reading, kept for parts of day).
    const today = at.startOf('day');
    if (minute === EOD) {
      const open = isWorkingDay(calendar, today) && at < atMinute(today, calendar.endMinute);
      day = open ? today : workingDayOnOrAfter(calendar, today.plus({ days: 1 }));
    } else {
      day = atMinute(today, minute ?? 0) > at ? today : today.plus({ days: 1 });
    }
  }
  const due =
    minute === null || minute === EOD
      ? endOfBusinessOn(calendar, day)
      : atMinute(day.startOf('day'), minute);
  if (due < at.minus({ minutes: 1 })) return null;
  return {
    start: mention.start,
    end: mention.end,
    due: due.toJSDate(),
    timed: minute !== null && minute !== EOD,
  };
}

/**
 * Every date mention in the message's own text, resolved relative to `messageAt` in the
 * calendar's zone, in text order; `sentenceBounds` keep a time of day with its own sentence.
 */
export function findDateMentions(
  text: PreparedText,
  messageAt: Date,
  calendar: BusinessCalendar,
  sentenceBounds: { start: number; end: number }[],
): DateMention[] {
  // Most messages name no date: a cheap look for any date-like word spares the zone arithmetic and chrono.
  if (!DATE_HINT.test(text.norm)) return [];
  const at = inZone(calendar, messageAt);
  const custom = customMentions(text, at, calendar);
  const all = [...custom, ...chronoMentions(text, at, custom, calendar.zone)];
  for (const part of PART_OF_DAY) {
    for (const m of findAll(part.re, text.norm)) {
      // Before a date ("by end of day Wednesday", "к обеду в пятницу"): that date's time of day.
      const next = all.find((t) => t.day && t.start >= m.end && t.start - m.end <= 4);
      if (next) {
        if (next.minute === null) next.minute = part.minute;
        next.start = m.start;
        continue;
      }
      // Alone ("к обеду пришлём", "by EOD"): a mention of its own.
      if (!all.some((t) => overlaps(t, m) || (m.start >= t.end && m.start - t.end <= 28))) {
        all.push({ start: m.start, end: m.end, day: null, minute: part.minute });
      }
    }
  }
  const resolved: DateMention[] = [];
  for (const mention of all.sort((a, b) => a.start - b.start)) {
    const sentence = sentenceBounds.find((s) => mention.start >= s.start && mention.start < s.end);
    const refined = mention.day
      ? refineTime(text.norm, mention, sentence?.end ?? text.norm.length)
      : mention;
    const done = resolve(refined, at, calendar);
    if (done) resolved.push(done);
  }
  return resolved;
}
