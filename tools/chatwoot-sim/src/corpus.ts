// Hand-written design-studio talk. Templates are combined with seeded choices (project, deadline,
// amounts, counts) so that the text has real Russian inflection ("макет", "макета", "макетов",
// "макетом") for search and chunking tests, and English next to it, as in a real studio inbox.
import type { Rng } from './random.js';

export type Language = 'ru' | 'en';

export type Stage =
  | 'inquiry'
  | 'quote'
  | 'brief'
  | 'note'
  | 'concepts'
  | 'feedback'
  | 'revision'
  | 'deadline_question'
  | 'deadline_answer'
  | 'approval'
  | 'invoice'
  | 'payment'
  | 'thanks'
  | 'followup';

interface RussianNoun {
  nom: string;
  gen: string;
  dat: string;
  acc: string;
  ins: string;
  prep: string;
}

export interface Topic {
  key: string;
  label: string;
  ru: RussianNoun;
  en: string;
}

export const TOPICS: readonly Topic[] = [
  {
    key: 'logo',
    label: 'logo',
    ru: {
      nom: 'логотип',
      gen: 'логотипа',
      dat: 'логотипу',
      acc: 'логотип',
      ins: 'логотипом',
      prep: 'логотипе',
    },
    en: 'logo',
  },
  {
    key: 'website',
    label: 'website',
    ru: { nom: 'сайт', gen: 'сайта', dat: 'сайту', acc: 'сайт', ins: 'сайтом', prep: 'сайте' },
    en: 'website',
  },
  {
    key: 'identity',
    label: 'branding',
    ru: {
      nom: 'фирменный стиль',
      gen: 'фирменного стиля',
      dat: 'фирменному стилю',
      acc: 'фирменный стиль',
      ins: 'фирменным стилем',
      prep: 'фирменном стиле',
    },
    en: 'brand identity',
  },
  {
    key: 'brandbook',
    label: 'branding',
    ru: {
      nom: 'брендбук',
      gen: 'брендбука',
      dat: 'брендбуку',
      acc: 'брендбук',
      ins: 'брендбуком',
      prep: 'брендбуке',
    },
    en: 'brand book',
  },
  {
    key: 'packaging',
    label: 'packaging',
    ru: {
      nom: 'упаковка',
      gen: 'упаковки',
      dat: 'упаковке',
      acc: 'упаковку',
      ins: 'упаковкой',
      prep: 'упаковке',
    },
    en: 'packaging',
  },
  {
    key: 'landing',
    label: 'website',
    ru: {
      nom: 'лендинг',
      gen: 'лендинга',
      dat: 'лендингу',
      acc: 'лендинг',
      ins: 'лендингом',
      prep: 'лендинге',
    },
    en: 'landing page',
  },
  {
    key: 'deck',
    label: 'presentation',
    ru: {
      nom: 'презентация',
      gen: 'презентации',
      dat: 'презентации',
      acc: 'презентацию',
      ins: 'презентацией',
      prep: 'презентации',
    },
    en: 'pitch deck',
  },
  {
    key: 'signage',
    label: 'signage',
    ru: {
      nom: 'вывеска',
      gen: 'вывески',
      dat: 'вывеске',
      acc: 'вывеску',
      ins: 'вывеской',
      prep: 'вывеске',
    },
    en: 'shop signage',
  },
];

export const RU_FIRST = {
  female: [
    'Ольга',
    'Анастасия',
    'Мария',
    'Екатерина',
    'Ирина',
    'Светлана',
    'Дарья',
    'Юлия',
    'Наталья',
    'Полина',
    'Ксения',
    'Вера',
  ],
  male: [
    'Алексей',
    'Иван',
    'Дмитрий',
    'Сергей',
    'Михаил',
    'Андрей',
    'Павел',
    'Никита',
    'Артём',
    'Егор',
    'Роман',
    'Григорий',
  ],
};
export const RU_LAST = {
  female: [
    'Петрова',
    'Смирнова',
    'Кузнецова',
    'Попова',
    'Васильева',
    'Соколова',
    'Морозова',
    'Новикова',
    'Фёдорова',
    'Волкова',
    'Лебедева',
    'Козлова',
  ],
  male: [
    'Петров',
    'Смирнов',
    'Кузнецов',
    'Попов',
    'Васильев',
    'Соколов',
    'Морозов',
    'Новиков',
    'Фёдоров',
    'Волков',
    'Лебедев',
    'Козлов',
  ],
};
export const RU_TRANSLIT: Record<string, string> = {
  Ольга: 'olga',
  Анастасия: 'anastasia',
  Мария: 'maria',
  Екатерина: 'ekaterina',
  Ирина: 'irina',
  Светлана: 'svetlana',
  Дарья: 'daria',
  Юлия: 'yulia',
  Наталья: 'natalia',
  Полина: 'polina',
  Ксения: 'ksenia',
  Вера: 'vera',
  Алексей: 'alexey',
  Иван: 'ivan',
  Дмитрий: 'dmitry',
  Сергей: 'sergey',
  Михаил: 'mikhail',
  Андрей: 'andrey',
  Павел: 'pavel',
  Никита: 'nikita',
  Артём: 'artem',
  Егор: 'egor',
  Роман: 'roman',
  Григорий: 'grigory',
};
export const EN_FIRST = [
  'Maria',
  'John',
  'Emily',
  'David',
  'Sophie',
  'Lucas',
  'Hannah',
  'Oliver',
  'Grace',
  'Daniel',
  'Chloe',
  'Ethan',
  'Isla',
  'Noah',
];
export const EN_LAST = [
  'Lee',
  'Carter',
  'Nguyen',
  'Schmidt',
  'Brown',
  'Rossi',
  'Müller',
  'Walsh',
  'Novak',
  'Jensen',
  'Moreau',
  'Patel',
  'Kowalski',
  'Evans',
];

export const RU_COMPANIES = [
  { name: 'Кофейня «Зерно»', slug: 'kofeinya-zerno' },
  { name: 'Пекарня «Колос»', slug: 'kolos-bakery' },
  { name: 'Студия йоги «Прана»', slug: 'prana-yoga' },
  { name: 'ООО «СеверСтрой»', slug: 'severstroy' },
  { name: 'Клиника «Добрый доктор»', slug: 'dobry-doctor' },
  { name: 'Ферма «Луговое»', slug: 'lugovoe' },
  { name: 'Книжный «Переплёт»', slug: 'pereplet' },
  { name: 'Барбершоп «Бритва»', slug: 'britva' },
  { name: 'Школа английского «Лексика»', slug: 'leksika' },
  { name: 'Ресторан «Сад»', slug: 'restoran-sad' },
];
export const EN_COMPANIES = [
  { name: 'Green Leaf Tea', slug: 'greenleaf' },
  { name: 'Northwind Outdoor', slug: 'northwind' },
  { name: 'Bluebird Bakery', slug: 'bluebird' },
  { name: 'Atlas Fitness', slug: 'atlasfit' },
  { name: 'Harbor Dental', slug: 'harbordental' },
  { name: 'Copper & Oak', slug: 'copperoak' },
  { name: 'Lumen Labs', slug: 'lumenlabs' },
  { name: 'Fjord Coffee Roasters', slug: 'fjordcoffee' },
];

export const CITIES = [
  { city: 'Moscow', country: 'Russia', country_code: 'RU' },
  { city: 'Saint Petersburg', country: 'Russia', country_code: 'RU' },
  { city: 'Kazan', country: 'Russia', country_code: 'RU' },
  { city: 'Yekaterinburg', country: 'Russia', country_code: 'RU' },
  { city: 'Berlin', country: 'Germany', country_code: 'DE' },
  { city: 'London', country: 'United Kingdom', country_code: 'GB' },
  { city: 'Tallinn', country: 'Estonia', country_code: 'EE' },
];

/** Widget visitors without a name get a haiku-style name, as Chatwoot generates them. */
export const HAIKU_ADJECTIVES = [
  'autumn',
  'hidden',
  'bitter',
  'misty',
  'silent',
  'empty',
  'dry',
  'dark',
  'summer',
  'icy',
  'quiet',
  'white',
  'cool',
  'spring',
  'winter',
  'patient',
];
export const HAIKU_NOUNS = [
  'waterfall',
  'river',
  'breeze',
  'moon',
  'rain',
  'wind',
  'sea',
  'morning',
  'snow',
  'lake',
  'sunset',
  'pine',
  'shadow',
  'leaf',
  'dawn',
  'glitter',
];

const RU_DEADLINES = [
  'к пятнице',
  'до конца недели',
  'к понедельнику',
  'до 15 числа',
  'к концу месяца',
  'за две недели',
  'до открытия в августе',
  'к выставке',
];
const EN_DEADLINES = [
  'by Friday',
  'by the end of the week',
  'by Monday',
  'before the 15th',
  'by the end of the month',
  'within two weeks',
  'before our August launch',
  'before the trade fair',
];
const RU_WEEKDAYS = ['в понедельник', 'во вторник', 'в среду', 'в четверг', 'в пятницу'];
const EN_WEEKDAYS = ['on Monday', 'on Tuesday', 'on Wednesday', 'on Thursday', 'on Friday'];
const COLOURS_RU = [
  'тёплые цвета',
  'зелёный и бежевый',
  'тёмно-синий',
  'минимализм',
  'ретро-шрифты',
  'пастельную палитру',
];
const COLOURS_EN = [
  'warm colours',
  'green and beige',
  'navy blue',
  'minimalism',
  'retro type',
  'a pastel palette',
];

export function pluralRu(n: number, one: string, few: string, many: string): string {
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return one;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return few;
  return many;
}

/** Digit grouping by hand: locale formatting depends on the ICU build and would break byte-identity. */
function groupDigits(amount: number, separator: string): string {
  return String(Math.round(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}

function formatRubles(amount: number): string {
  return `${groupDigits(amount, ' ')} ₽`;
}

export interface TalkContext {
  language: Language;
  topic: Topic;
  clientName: string;
  agentName: string;
  companyName: string;
  /** One budget and one invoice number per conversation, so the quote, invoice and payment agree. */
  amountRubles: number;
  invoiceNumber: string;
}

type Template = (c: Slots) => string;

interface Slots {
  p: RussianNoun;
  pe: string;
  client: string;
  agent: string;
  company: string;
  deadline: string;
  day: string;
  amount: string;
  usd: string;
  n: number;
  layouts: string;
  variants: string;
  revisions: string;
  colours: string;
  invoice: string;
}

const RU: Record<Stage, Template[]> = {
  inquiry: [
    (s) =>
      `Здравствуйте! Хотим заказать ${s.p.acc}. Мы — ${s.company}. Сколько это стоит и какие сроки?`,
    (s) =>
      `Добрый день! Нам нужно обновить ${s.p.acc}, старый вариант совсем устарел. Можете помочь?`,
    (s) => `Привет! Ищем студию, которая сделает ${s.p.acc} ${s.deadline}. Вы успеете?`,
    (s) =>
      `Здравствуйте, меня зовут ${s.client}. Интересует разработка ${s.p.gen} под ключ, с несколькими вариантами макетов.`,
    (s) =>
      `Добрый вечер! Увидели ваше портфолио, очень понравились макеты для кофеен. Хотим что-то похожее — ${s.p.nom} в том же духе.`,
    (s) =>
      `Подскажите, пожалуйста, работаете ли вы с небольшими заказами? Нужна только разработка ${s.p.gen}, без полного брендбука.`,
  ],
  quote: [
    (s) =>
      `Добрый день, ${s.client}! Разработка ${s.p.gen} стоит от ${s.amount}, срок — 2–3 недели. Пришлите, пожалуйста, примеры, которые вам нравятся.`,
    (s) =>
      `${s.client}, спасибо за обращение! Стоимость работ — ${s.amount}, в неё входят ${s.n} ${s.variants} и ${s.revisions}. Отправлю бриф на почту.`,
    (s) =>
      `Здравствуйте! Мы успеем ${s.deadline}, если бриф будет у нас в ближайшие дни. Предварительная смета: ${s.amount}.`,
    (s) =>
      `Да, конечно. По ${s.p.dat} обычно делаем ${s.n} ${s.variants} на выбор, потом две итерации правок. Цена — ${s.amount}.`,
    (s) =>
      `Добрый день! Заполните, пожалуйста, бриф — по нему мы рассчитаем точную стоимость ${s.p.gen}. Ориентир — ${s.amount}.`,
  ],
  brief: [
    (s) => `Вот примеры, которые нам нравятся: ${s.colours}. Бриф заполнили, прикладываю.`,
    (s) =>
      `Заполнили бриф. Главное — хорошая читаемость ${s.p.gen} на маленьких размерах и в соцсетях.`,
    (s) =>
      `По брифу: аудитория 25–40 лет, хотим ${s.colours}, без лишних деталей. Конкурентов пришлю отдельно.`,
    () =>
      `Отправляю мудборд, который собрали сами. Посмотрите, пожалуйста, какие из референсов реально использовать.`,
    (s) => `Добавлю к брифу: название компании пишется через «ё», это важно для ${s.p.gen}.`,
  ],
  note: [
    (s) =>
      `Бюджет около ${s.amount}, клиент готов подписать договор на этой неделе. ${s.agent}, возьми в работу.`,
    () => `Внутреннее: клиент уже дважды менял ТЗ. Фиксируем объём правок в договоре.`,
    (s) => `Проверить оплату по счёту ${s.invoice} перед отправкой исходников.`,
    () => `Note: the client prefers calls after 18:00 Moscow time. Макеты показываем только в PDF.`,
    (s) =>
      `Сроки горят — ставлю ${s.p.acc} в приоритет, остальные макеты сдвигаем на следующую неделю.`,
    (s) => `Клиент просил не присылать исходники до полной оплаты. Счёт ${s.invoice} выставлен.`,
  ],
  concepts: [
    (s) =>
      `${s.client}, добрый день! Отправляем первые ${s.n} ${s.variants} ${s.p.gen}. Ждём вашей обратной связи.`,
    (s) =>
      `Готов мудборд и первые макеты. Посмотрите, пожалуйста, ${s.day} — нам важно ваше мнение.`,
    (s) =>
      `Прикладываю презентацию с концепциями: ${s.n} ${s.layouts} в разных стилях. Какой ближе?`,
    (s) =>
      `Мы подготовили ${s.n} ${s.variants} — от строгого до более игривого. Расскажите, что откликается.`,
  ],
  feedback: [
    () =>
      `Спасибо! Второй вариант нравится больше всего, но хотим поправить шрифт и цвет. Можно внести правки в макет?`,
    (s) => `Посмотрели макеты. Нужно ещё немного поработать над ${s.p.ins}: сейчас слишком строго.`,
    (s) =>
      `Правки по макетам: 1) крупнее название, 2) убрать градиент, 3) попробовать ${s.colours}.`,
    (s) =>
      `Коллегам понравился первый вариант ${s.p.gen}, директору — третий. Можно объединить их?`,
    (s) =>
      `Честно говоря, ни один из макетов пока не попал. Давайте созвонимся и обсудим ${s.p.acc} ещё раз.`,
    (s) => `В целом отлично! Только в ${s.p.prep} иконка теряется на тёмном фоне.`,
  ],
  revision: [
    () => `Внесли правки, прикладываю обновлённые макеты. Шрифт заменили, цвета сделали теплее.`,
    (s) =>
      `${s.client}, вот новая версия ${s.p.gen} с учётом всех ${s.n} ${pluralRu(s.n, 'замечания', 'замечаний', 'замечаний')}.`,
    () =>
      `Объединили первый и третий варианты — посмотрите, пожалуйста. Если всё ок, готовим финальные файлы.`,
    () =>
      `Обновили макет: название крупнее, градиент убрали. Осталась одна итерация правок по договору.`,
  ],
  deadline_question: [
    (s) => `Подскажите, успеваете ${s.deadline}? У нас запуск, очень важно не сдвигать сроки.`,
    (s) => `Когда ждать финальные макеты? Типография просит файлы ${s.day}.`,
    (s) => `Есть новости по ${s.p.dat}? Мы договаривались ${s.deadline}.`,
  ],
  deadline_answer: [
    (s) =>
      `Да, успеваем: финальные файлы будут ${s.day}. Если появятся правки, сдвиг максимум на день.`,
    (s) => `${s.client}, всё по плану — отправим макеты ${s.deadline}.`,
    (s) => `Немного задерживаемся с ${s.p.ins}, пришлём ${s.day}. Извините за неудобства!`,
  ],
  approval: [
    (s) => `Всё отлично, утверждаем этот вариант ${s.p.gen}! Присылайте счёт.`,
    () => `Согласовано. Финальный макет утверждён, можно готовить исходники.`,
    (s) => `Утвердили! Спасибо, команда в восторге от ${s.p.gen}.`,
  ],
  invoice: [
    (s) =>
      `Отправили счёт ${s.invoice} на ${s.amount}. После оплаты передадим исходники и гайдлайн.`,
    (s) => `${s.client}, счёт ${s.invoice} во вложении. Оплата — в течение 5 рабочих дней.`,
    (s) =>
      `Выставили счёт на предоплату 50%: ${s.invoice}. Закрывающие документы пришлём после сдачи ${s.p.gen}.`,
  ],
  payment: [
    (s) => `Оплатили счёт ${s.invoice}, платёжку прикладываю.`,
    () => `Бухгалтерия спрашивает, можно ли разбить оплату на две части?`,
    (s) => `Оплата прошла. Когда будут исходники ${s.p.gen}?`,
  ],
  thanks: [
    (s) => `Спасибо большое! Очень довольны ${s.p.ins}, будем рекомендовать вас.`,
    () => `Спасибо, всё получили!`,
    (s) => `Благодарим за работу! ${s.company} скоро вернётся с новым проектом.`,
  ],
  followup: [
    (s) => `${s.client}, напоминаем про макеты — ждём обратную связь, чтобы не сдвигать сроки.`,
    (s) => `Добрый день! Удалось посмотреть ${s.p.acc}? Готовы созвониться ${s.day}.`,
    () => `Здравствуйте! Хотели уточнить, актуален ли ещё проект?`,
  ],
};

const EN: Record<Stage, Template[]> = {
  inquiry: [
    (s) =>
      `Hi! We're looking for a studio to design our new ${s.pe} at ${s.company}. What would it cost and how long does it take?`,
    (s) => `Hello, I'm ${s.client}. Could you do our ${s.pe} ${s.deadline}?`,
    (s) =>
      `Hi there! Saw your portfolio and loved the cafe branding. We need something similar: a ${s.pe}.`,
    (s) =>
      `Good morning! Do you take small projects? We only need the ${s.pe}, not a full brand book.`,
  ],
  quote: [
    (s) =>
      `Hi ${s.client}, thanks for reaching out! Work on the ${s.pe} starts at ${s.usd} and takes 2–3 weeks. Could you send a few references you like?`,
    (s) =>
      `The estimate is ${s.usd}: ${s.n} concepts and two rounds of revisions. I'll email you our brief template.`,
    (s) => `We can make it ${s.deadline} if we get the brief this week. Rough quote: ${s.usd}.`,
  ],
  brief: [
    (s) => `Here are a few references we like: ${s.colours}. The brief is attached.`,
    () => `Brief filled in. The main thing: it has to work at small sizes and on social media.`,
    (s) => `Audience is 25–40, we'd like ${s.colours}. I'll send competitor examples separately.`,
  ],
  note: [
    (s) => `Budget around ${s.usd}, they want to sign this week. ${s.agent}, please take it.`,
    () => `Internal: scope changed twice already, fix the number of revisions in the contract.`,
    (s) => `Check invoice ${s.invoice} is paid before sending source files.`,
  ],
  concepts: [
    (s) =>
      `Hi ${s.client}! Here are the first ${s.n} concepts for your ${s.pe}. Looking forward to your feedback.`,
    (s) => `The moodboard and first drafts are ready, please take a look ${s.day}.`,
    (s) =>
      `Attached is a deck with ${s.n} directions, from strict to playful. Which one feels closer?`,
  ],
  feedback: [
    () => `Thanks! We like option two best, but could you change the typeface and the colour?`,
    (s) => `Revisions: 1) bigger name, 2) drop the gradient, 3) try ${s.colours}.`,
    (s) => `My team liked the first ${s.pe} draft, our CEO the third one. Could you merge them?`,
    () => `Honestly none of the drafts hits the mark yet. Can we jump on a call?`,
  ],
  revision: [
    () => `Revisions are done, updated drafts attached. New typeface, warmer colours.`,
    (s) => `Here's the new version of the ${s.pe} with all ${s.n} comments addressed.`,
    () =>
      `We merged options one and three, please have a look. If it's fine we'll prepare the final files.`,
  ],
  deadline_question: [
    (s) => `Are we still on track ${s.deadline}? We can't move the launch.`,
    (s) => `When can we expect the final files? The printer needs them ${s.day}.`,
  ],
  deadline_answer: [
    (s) => `Yes, on track: final files ${s.day}. Any extra revisions might add a day.`,
    (s) => `We're running a bit late with the ${s.pe}, you'll have it ${s.day}. Sorry about that!`,
  ],
  approval: [
    (s) => `Looks great, we approve this ${s.pe}! Please send the invoice.`,
    () => `Approved. Please prepare the source files.`,
  ],
  invoice: [
    (s) =>
      `Invoice ${s.invoice} for ${s.usd} is attached. Source files and guidelines follow once it's paid.`,
    (s) => `Hi ${s.client}, here's invoice ${s.invoice}. Payment terms are 14 days.`,
  ],
  payment: [
    (s) => `Invoice ${s.invoice} paid, receipt attached.`,
    () => `Our accountant asks whether we can split the payment in two.`,
  ],
  thanks: [(s) => `Thank you so much! We love the new ${s.pe}.`, () => `Thanks, got everything!`],
  followup: [
    (s) =>
      `Hi ${s.client}, just a reminder about the drafts: we need your feedback to keep the deadline.`,
    () => `Hello! Is the project still on?`,
  ],
};

export function writeMessage(rng: Rng, stage: Stage, context: TalkContext): string {
  const n = rng.int(2, 5);
  const rounds = rng.int(1, 3);
  const amount = context.amountRubles;
  const slots: Slots = {
    p: context.topic.ru,
    pe: context.topic.en,
    client: context.clientName,
    agent: context.agentName,
    company: context.companyName,
    deadline: context.language === 'ru' ? rng.pick(RU_DEADLINES) : rng.pick(EN_DEADLINES),
    day: context.language === 'ru' ? rng.pick(RU_WEEKDAYS) : rng.pick(EN_WEEKDAYS),
    amount: formatRubles(amount),
    usd: `$${groupDigits(amount / 50, ',')}`,
    n,
    layouts: pluralRu(n, 'макет', 'макета', 'макетов'),
    variants: pluralRu(n, 'вариант', 'варианта', 'вариантов'),
    revisions: `${rounds} ${pluralRu(rounds, 'итерация', 'итерации', 'итераций')} правок`,
    colours: context.language === 'ru' ? rng.pick(COLOURS_RU) : rng.pick(COLOURS_EN),
    invoice: context.invoiceNumber,
  };
  const templates = context.language === 'ru' ? RU[stage] : EN[stage];
  return rng.pick(templates)(slots);
}

export const GREETING = {
  ru: 'Спасибо, что написали в студию! Мы отвечаем в течение рабочего дня.',
  en: 'Thanks for contacting the studio! We usually reply within one business day.',
};
export const CSAT_PROMPT = 'Please rate the conversation';
