// Hand-written studio tracker text: issue titles and Markdown descriptions, comments and customer
// requests, in Russian (with real inflection: макет, макета, макетов) and English. Seeded choices
// fill in the client, the topic, counts, dates, file names and @mentions.
import { pluralRu, type Language, type Rng, type Topic } from '@cairn/studio';

export interface TextContext {
  language: Language;
  topic: Topic;
  /** The client company, or null for the studio's own work. */
  company: { name: string; domain: string } | null;
  /** Linear display names of the staff, for @mentions. */
  staff: readonly string[];
  /** Unix milliseconds, for dates mentioned in text. */
  at: number;
}

export const WORK_KINDS = [
  'mockups',
  'revisions',
  'deadline',
  'invoice',
  'launch',
  'print',
  'copy',
  'assets',
] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function dateRu(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function dateEn(ms: number): string {
  return new Date(ms).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    timeZone: 'UTC',
  });
}

function fileName(rng: Rng, ctx: TextContext): string {
  const base = ctx.topic.key;
  return `${base}_v${rng.int(1, 5)}${rng.pick(['', '_final', '_clean', '_print'])}.${rng.pick(['fig', 'pdf', 'ai', 'zip'])}`;
}

function mention(rng: Rng, ctx: TextContext): string {
  return `@${rng.pick(ctx.staff)}`;
}

function colour(rng: Rng): string {
  return `#${rng.hex(6).toUpperCase()}`;
}

export function issueTitle(rng: Rng, kind: WorkKind, ctx: TextContext): string {
  const t = ctx.topic;
  const n = rng.int(2, 6);
  const client = ctx.company && rng.chance(0.5) ? `${ctx.company.name}: ` : '';
  const days = ctx.at + rng.int(3, 21) * 86_400_000;
  if (ctx.language === 'ru') {
    const options: Record<WorkKind, string[]> = {
      mockups: [
        `Макеты ${t.ru.gen}: первая итерация`,
        `Подготовить ${n} ${pluralRu(n, 'макет', 'макета', 'макетов')} ${t.ru.gen}`,
        `Варианты ${t.ru.gen} для презентации клиенту`,
      ],
      revisions: [
        `Правки по ${t.ru.dat} после созвона`,
        `Внести правки клиента в ${t.ru.acc}`,
        `Второй круг правок: ${t.ru.nom}`,
      ],
      deadline: [`Согласовать сроки по ${t.ru.dat}`, `Сдать ${t.ru.acc} до ${dateRu(days)}`],
      invoice: [
        `Выставить счёт за ${t.ru.acc}`,
        `Счёт №${rng.int(100, 999)}: предоплата 50%`,
        `Напомнить об оплате счёта №${rng.int(100, 999)}`,
      ],
      launch: [`Запуск: ${t.ru.nom}`, `Подготовить ${t.ru.acc} к запуску`],
      print: [`Файлы в печать: ${t.ru.nom}`, `Проверить цветопробу ${t.ru.gen}`],
      copy: [`Тексты для ${t.ru.gen}`, `Вычитать тексты в ${t.ru.prep}`],
      assets: [`Собрать исходники ${t.ru.gen} для клиента`, `Экспорт ${t.ru.gen} во всех форматах`],
    };
    return client + rng.pick(options[kind]);
  }
  const options: Record<WorkKind, string[]> = {
    mockups: [
      `${capitalise(t.en)} mockups, first round`,
      `Prepare ${n} mockups for the ${t.en}`,
      `${capitalise(t.en)} options for the client presentation`,
    ],
    revisions: [
      `Client revisions to the ${t.en}`,
      `Second round of revisions: ${t.en}`,
      `Apply feedback from the call to the ${t.en}`,
    ],
    deadline: [`Agree the ${t.en} deadline`, `Deliver the ${t.en} by ${dateEn(days)}`],
    invoice: [
      `Send invoice #${rng.int(100, 999)} for the ${t.en}`,
      `Chase overdue invoice #${rng.int(100, 999)}`,
    ],
    launch: [`Launch checklist: ${t.en}`, `Get the ${t.en} ready for launch`],
    print: [`Print-ready files for the ${t.en}`, `Check the colour proof of the ${t.en}`],
    copy: [`Copy for the ${t.en}`, `Proofread the ${t.en} copy`],
    assets: [`Hand over the ${t.en} source files`, `Export the ${t.en} in every format`],
  };
  return client + rng.pick(options[kind]);
}

export function issueDescription(rng: Rng, kind: WorkKind, ctx: TextContext): string | null {
  if (rng.chance(0.08)) return null;
  const t = ctx.topic;
  const file = fileName(rng, ctx);
  const due = ctx.at + rng.int(4, 25) * 86_400_000;
  const n = rng.int(2, 5);
  const link = `https://www.figma.com/file/${rng.base58(22)}/${t.key}`;
  if (ctx.language === 'ru') {
    const client = ctx.company
      ? `Клиент: **${ctx.company.name}** (${ctx.company.domain}).\n\n`
      : '';
    const bodies: Record<WorkKind, string> = {
      mockups: `Нужно подготовить ${n} ${pluralRu(n, 'макет', 'макета', 'макетов')} ${t.ru.gen}.\n\n- палитра: \`${colour(rng)}\`, \`${colour(rng)}\`\n- шрифт — [Manrope](https://fonts.google.com/specimen/Manrope)\n- референсы в [Figma](${link})\n\nПеред отправкой клиенту макеты смотрит ${mention(rng, ctx)}.`,
      revisions: `По итогам созвона клиент просит правки:\n\n1. логотип крупнее на первом экране\n2. фон светлее, меньше контраста\n3. убрать лишний текст в ${t.ru.prep}\n\nИсходник: \`${file}\`. Дедлайн по правкам — ${dateRu(due)}.`,
      deadline: `Клиент спрашивает, успеем ли сдать ${t.ru.acc} к ${dateRu(due)}. Нужно оценить объём и ответить до конца дня.\n\n${mention(rng, ctx)}, посмотри загрузку команды.`,
      invoice: `Выставить счёт за ${t.ru.acc}: предоплата 50%, остаток после сдачи макетов.\n\n- сумма: ${rng.int(4, 30) * 10_000} ₽\n- реквизиты в карточке клиента\n\nПосле оплаты отметить здесь и передать в работу.`,
      launch: `Чек-лист запуска:\n\n- [ ] финальные макеты согласованы\n- [ ] файлы выгружены в \`/release/${t.key}\`\n- [ ] клиент подтвердил дату: ${dateRu(due)}\n\nОтветственный — ${mention(rng, ctx)}.`,
      print: `Подготовить файлы в печать: CMYK, вылеты 3 мм, шрифты в кривых. Типография ждёт \`${file}\` до ${dateRu(due)}.`,
      copy: `Тексты для ${t.ru.gen} пишет клиент, мы вычитываем и верстаем. Черновик — в [документе](${link}).`,
      assets: `Собрать все исходники ${t.ru.gen}: \`${file}\`, шрифты, экспорт в PNG/SVG/PDF. Архив отправить клиенту по почте.`,
    };
    return client + bodies[kind];
  }
  const client = ctx.company ? `Client: **${ctx.company.name}** (${ctx.company.domain}).\n\n` : '';
  const bodies: Record<WorkKind, string> = {
    mockups: `We need ${n} mockups for the ${t.en}.\n\n- palette: \`${colour(rng)}\`, \`${colour(rng)}\`\n- type: [Inter](https://fonts.google.com/specimen/Inter)\n- references in [Figma](${link})\n\n${mention(rng, ctx)} reviews them before they go to the client.`,
    revisions: `After the call the client asked for:\n\n1. a bigger logo above the fold\n2. a lighter background\n3. less copy in the ${t.en}\n\nSource file: \`${file}\`. Revisions due ${dateEn(due)}.`,
    deadline: `The client asks whether the ${t.en} can be ready by ${dateEn(due)}. Estimate and reply today.\n\n${mention(rng, ctx)}, can you check the team's load?`,
    invoice: `Invoice for the ${t.en}: 50% upfront, the rest on delivery.\n\n- amount: €${rng.int(8, 60) * 100}\n- billing details are on the client's card\n\nMark here once it is paid.`,
    launch: `Launch checklist:\n\n- [ ] final mockups approved\n- [ ] files uploaded to \`/release/${t.key}\`\n- [ ] launch date confirmed: ${dateEn(due)}\n\nOwner: ${mention(rng, ctx)}.`,
    print: `Print-ready files: CMYK, 3 mm bleed, outlined fonts. The printer needs \`${file}\` by ${dateEn(due)}.`,
    copy: `The client writes the copy for the ${t.en}; we proofread and lay it out. Draft in [this doc](${link}).`,
    assets: `Collect every source file of the ${t.en}: \`${file}\`, fonts, PNG/SVG/PDF exports. Send the archive to the client.`,
  };
  return client + bodies[kind];
}

export function commentBody(rng: Rng, ctx: TextContext): string {
  const t = ctx.topic;
  const n = rng.int(2, 5);
  const due = ctx.at + rng.int(2, 14) * 86_400_000;
  if (ctx.language === 'ru') {
    return rng.pick([
      `Отправила клиенту ${n} ${pluralRu(n, 'макет', 'макета', 'макетов')}, ждём обратную связь до пятницы.`,
      `Клиент просит правки: логотип крупнее, фон светлее. Внесу сегодня.`,
      `${mention(rng, ctx)} посмотри, пожалуйста, адаптив ${t.ru.gen} на мобильных.`,
      `Согласовали дедлайн — ${dateRu(due)}.`,
      `Загрузила финальные файлы: \`${fileName(rng, ctx)}\``,
      `Счёт оплачен, можно продолжать работу над ${t.ru.ins}.`,
      `Клиент подтвердил, всё ок. Закрываем.`,
      `По макетам ${t.ru.gen} есть два вопроса к клиенту, спрошу на созвоне.`,
      `Правки внесены, новая версия в Figma.`,
    ]);
  }
  return rng.pick([
    `Sent ${n} mockups to the client, waiting for feedback by Friday.`,
    `The client wants the logo bigger and a lighter background. On it today.`,
    `${mention(rng, ctx)} could you check the ${t.en} on mobile?`,
    `Deadline agreed: ${dateEn(due)}.`,
    `Uploaded the final files: \`${fileName(rng, ctx)}\``,
    `Invoice paid, we can carry on with the ${t.en}.`,
    `Client approved it, closing.`,
    `Two open questions on the ${t.en} mockups, I'll raise them on the call.`,
    `Revisions done, new version is in Figma.`,
  ]);
}

export function needBody(rng: Rng, ctx: TextContext): string {
  const t = ctx.topic;
  if (ctx.language === 'ru') {
    return rng.pick([
      `Нам нужен ${t.ru.nom} к открытию в сентябре.`,
      `Можно ли сделать ${t.ru.acc} в двух вариантах — светлом и тёмном?`,
      `Просим прислать макеты ${t.ru.gen} до конца месяца.`,
      `Хотим обсудить правки по ${t.ru.dat} на следующей неделе.`,
    ]);
  }
  return rng.pick([
    `We need the ${t.en} before the September opening.`,
    `Could the ${t.en} come in a light and a dark version?`,
    `Please send the ${t.en} mockups by the end of the month.`,
    `We'd like to go through revisions to the ${t.en} next week.`,
  ]);
}

export function projectDescription(rng: Rng, ctx: TextContext): string {
  const t = ctx.topic;
  const who = ctx.company?.name ?? '';
  return ctx.language === 'ru'
    ? rng.pick([`${capitalise(t.ru.nom)} для ${who}`, `Разработка: ${t.ru.nom}, ${who}`])
    : rng.pick([`${capitalise(t.en)} for ${who}`, `${capitalise(t.en)} design work, ${who}`]);
}

export function projectName(ctx: TextContext): string {
  const who = ctx.company?.name ?? 'Studio';
  return ctx.language === 'ru' ? `${who} — ${ctx.topic.ru.nom}` : `${who}: ${ctx.topic.en}`;
}
