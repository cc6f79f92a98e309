// Hand-written CRM text of a design studio: meeting notes in Markdown (calls, briefs, feedback on
// mockups, invoices, launches) and tasks, in Russian with real inflection and in English, filled
// with the client, the topic, dates, amounts and people from seeded choices.
import { pluralRu, type Language, type Rng, type Topic } from '@cairn/studio';

export interface NoteContext {
  language: Language;
  topic: Topic;
  company: string;
  /** The client person the note is about or with, if any. */
  contact: string | null;
  staff: string;
  /** Unix milliseconds of the note. */
  at: number;
}

export const NOTE_KINDS = ['call', 'brief', 'feedback', 'invoice', 'launch'] as const;
export type NoteKind = (typeof NOTE_KINDS)[number];

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function dateRu(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${d.getUTCFullYear()}`;
}

function dateEn(ms: number): string {
  return new Date(ms).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

export function noteTitle(kind: NoteKind, ctx: NoteContext): string {
  const t = ctx.topic;
  if (ctx.language === 'ru') {
    return {
      call: `Созвон с ${ctx.company}: ${t.ru.nom}`,
      brief: `Бриф: ${t.ru.nom} для ${ctx.company}`,
      feedback: `Обратная связь по макетам ${t.ru.gen}`,
      invoice: `Счёт и оплата: ${t.ru.nom}`,
      launch: `Запуск: ${t.ru.nom}`,
    }[kind];
  }
  return {
    call: `Call with ${ctx.company}: ${t.en}`,
    brief: `Brief: ${t.en} for ${ctx.company}`,
    feedback: `Feedback on the ${t.en} mockups`,
    invoice: `Invoice and payment: ${t.en}`,
    launch: `Launch: ${t.en}`,
  }[kind];
}

/** A meeting note in Markdown: a heading, who took part, what was said, what happens next. */
export function noteMarkdown(rng: Rng, kind: NoteKind, ctx: NoteContext): string {
  const t = ctx.topic;
  const n = rng.int(2, 4);
  const due = ctx.at + rng.int(3, 20) * 86_400_000;
  const who = ctx.contact ? `${ctx.contact}, ${ctx.staff}` : ctx.staff;
  if (ctx.language === 'ru') {
    const said: Record<NoteKind, string[]> = {
      call: [
        `клиенту понравились макеты ${t.ru.gen}, просит ещё ${n} ${pluralRu(n, 'вариант', 'варианта', 'вариантов')}`,
        `дедлайн — ${dateRu(due)}`,
        `бюджет: **${rng.int(5, 40) * 10_000} ₽**, предоплата 50%`,
      ],
      brief: [
        `задача: ${t.ru.nom} в духе [референсов](https://www.pinterest.com/${rng.base58(8)})`,
        `аудитория — жители района, 25–45 лет`,
        `нужно ${n} ${pluralRu(n, 'макет', 'макета', 'макетов')} к ${dateRu(due)}`,
      ],
      feedback: [
        `по ${t.ru.dat}: логотип крупнее, фон светлее`,
        `второй вариант макета — основной`,
        `правки прислать до ${dateRu(due)}`,
      ],
      invoice: [
        `счёт №${rng.int(100, 999)} за ${t.ru.acc} выставлен`,
        `оплата частями: 50% сейчас, 50% после сдачи макетов`,
        `бухгалтерия клиента просит закрывающие документы`,
      ],
      launch: [
        `${t.ru.nom} готов к запуску, клиент подтвердил дату ${dateRu(due)}`,
        `исходники передаём архивом`,
        `через месяц созвон по результатам`,
      ],
    };
    return [
      `# ${noteTitle(kind, ctx)}`,
      '',
      `**Участники:** ${who}`,
      '',
      '## Что обсудили',
      ...said[kind].map((line) => `- ${line}`),
      '',
      '## Следующие шаги',
      `1. ${rng.pick(['отправить обновлённые макеты', 'подготовить договор', 'согласовать сроки'])}`,
      `2. ${rng.pick(['выставить счёт', 'назначить следующий созвон', 'собрать правки в Linear'])}`,
    ].join('\n');
  }
  const said: Record<NoteKind, string[]> = {
    call: [
      `the client liked the ${t.en} mockups and wants ${n} more options`,
      `deadline: ${dateEn(due)}`,
      `budget: **€${rng.int(8, 60) * 100}**, 50% upfront`,
    ],
    brief: [
      `scope: a ${t.en} in the spirit of [these references](https://www.pinterest.com/${rng.base58(8)})`,
      `audience: locals, 25 to 45`,
      `${n} mockups due ${dateEn(due)}`,
    ],
    feedback: [
      `on the ${t.en}: bigger logo, lighter background`,
      `option two is the one to develop`,
      `revisions due ${dateEn(due)}`,
    ],
    invoice: [
      `invoice #${rng.int(100, 999)} for the ${t.en} sent`,
      `split payment: half now, half on delivery`,
      `their accounts team needs a VAT invoice`,
    ],
    launch: [
      `the ${t.en} is ready; launch confirmed for ${dateEn(due)}`,
      `source files go over as an archive`,
      `follow-up call in a month`,
    ],
  };
  return [
    `# ${noteTitle(kind, ctx)}`,
    '',
    `**Attendees:** ${who}`,
    '',
    '## Discussed',
    ...said[kind].map((line) => `- ${line}`),
    '',
    '## Next steps',
    `1. ${rng.pick(['send the updated mockups', 'draft the contract', 'agree the timeline'])}`,
    `2. ${rng.pick(['send the invoice', 'book the next call', 'log the revisions in Linear'])}`,
  ].join('\n');
}

/** What Attio keeps as `content_plaintext` for a Markdown note: the text without the markup. */
export function plaintextOf(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) =>
      line
        .replace(/^#{1,6}\s+/, '')
        .replace(/\*\*([^*]+)\*\*/g, '$1')
        .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1'),
    )
    .join('\n');
}

export function taskText(rng: Rng, ctx: NoteContext): string {
  const t = ctx.topic;
  if (ctx.language === 'ru') {
    return rng.pick([
      `Отправить макеты ${t.ru.gen} клиенту`,
      `Выставить счёт за ${t.ru.acc}`,
      `Созвониться с ${ctx.contact ?? ctx.company} по правкам`,
      `Подготовить договор на ${t.ru.acc}`,
      `Напомнить об оплате: ${ctx.company}`,
    ]);
  }
  return rng.pick([
    `Send the ${t.en} mockups to the client`,
    `Invoice ${ctx.company} for the ${t.en}`,
    `Call ${ctx.contact ?? ctx.company} about the revisions`,
    `Draft the ${t.en} contract`,
    `Chase payment from ${ctx.company}`,
  ]);
}

export function dealName(topic: Topic, company: string, language: Language): string {
  return language === 'ru'
    ? `${capitalise(topic.ru.nom)} — ${company}`
    : `${capitalise(topic.en)} for ${company}`;
}

export const JOB_TITLES: Readonly<Record<Language, readonly string[]>> = {
  ru: ['Директор', 'Маркетолог', 'Владелица', 'Управляющий', 'Бренд-менеджер'],
  en: ['Founder', 'Marketing Manager', 'Owner', 'Head of Brand', 'Operations Manager'],
};

export const CITIES: Readonly<Record<Language, readonly string[]>> = {
  ru: ['Москва', 'Санкт-Петербург', 'Казань', 'Екатеринбург'],
  en: ['London', 'Bristol', 'Leeds', 'Manchester'],
};
