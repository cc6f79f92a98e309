// Names for the clients the studio has beyond the ones Chatwoot talks to (the CRM and the tracker
// hold more companies and people than the inbox), Russian and English, plus the free-mail domains
// that must never tie people to one organisation.
import type { Language } from '@cairn/chatwoot-sim';

export const FIRST_NAMES = {
  ru: {
    female: ['Алина', 'Вера', 'Дарья', 'Ксения', 'Людмила', 'Марина', 'Полина', 'Софья', 'Юлия'],
    male: ['Андрей', 'Борис', 'Виктор', 'Глеб', 'Денис', 'Кирилл', 'Леонид', 'Роман', 'Тимур'],
  },
  en: ['Alice', 'Ben', 'Chloe', 'Daniel', 'Emma', 'George', 'Hannah', 'Isaac', 'Jack', 'Ruby'],
} as const;

/** Masculine forms; the feminine adds "а". */
export const RU_SURNAMES = [
  'Белов',
  'Гусев',
  'Егоров',
  'Зайцев',
  'Комаров',
  'Медведев',
  'Никитин',
  'Орлов',
  'Соловьёв',
  'Тарасов',
] as const;

export const EN_SURNAMES = [
  'Adams',
  'Baker',
  'Carter',
  'Evans',
  'Foster',
  'Hughes',
  'Morgan',
  'Parker',
  'Turner',
  'Walsh',
] as const;

const LATIN: Readonly<Record<string, string>> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
};

/** Cyrillic to the Latin letters people use in email addresses (`Фёдоров` → `fedorov`). */
export function translit(text: string): string {
  return [...text.toLowerCase()].map((ch) => LATIN[ch] ?? ch).join('');
}

export const COMPANY_PARTS = {
  ru: {
    kinds: [
      { name: 'Кафе', latin: 'cafe' },
      { name: 'Пекарня', latin: 'bakery' },
      { name: 'Салон', latin: 'salon' },
      { name: 'Клиника', latin: 'clinic' },
      { name: 'Мастерская', latin: 'workshop' },
      { name: 'Отель', latin: 'hotel' },
      { name: 'Фитнес-клуб', latin: 'fitness' },
      { name: 'Школа', latin: 'school' },
    ],
    words: [
      { name: 'Маяк', latin: 'mayak' },
      { name: 'Север', latin: 'sever' },
      { name: 'Липа', latin: 'lipa' },
      { name: 'Орбита', latin: 'orbita' },
      { name: 'Гавань', latin: 'gavan' },
      { name: 'Янтарь', latin: 'yantar' },
      { name: 'Мята', latin: 'myata' },
      { name: 'Кедр', latin: 'kedr' },
      { name: 'Весна', latin: 'vesna' },
      { name: 'Полёт', latin: 'polyot' },
    ],
    cities: ['Москва', 'Казань', 'Тверь', 'Самара', 'Пермь'],
  },
  en: {
    words: [
      'Silver Birch',
      'Harbour',
      'Red Fox',
      'Oakwood',
      'Blue Peak',
      'Little Owl',
      'Saltmarsh',
    ],
    kinds: [
      { name: 'Studio', latin: 'studio' },
      { name: 'Coffee', latin: 'coffee' },
      { name: 'Dental', latin: 'dental' },
      { name: 'Books', latin: 'books' },
      { name: 'Yoga', latin: 'yoga' },
      { name: 'Bakehouse', latin: 'bakehouse' },
    ],
    cities: ['Leeds', 'Bristol', 'York', 'Brighton', 'Dublin'],
  },
} as const;

/**
 * Mailbox providers shared by unrelated people: an address there says nothing about an employer.
 * `mail.example` is the Chatwoot simulator's stand-in for such a provider (imported contacts).
 */
export const FREE_MAIL_DOMAINS: readonly string[] = [
  'gmail.com',
  'mail.ru',
  'yandex.ru',
  'ya.ru',
  'bk.ru',
  'list.ru',
  'inbox.ru',
  'outlook.com',
  'hotmail.com',
  'yahoo.com',
  'icloud.com',
  'proton.me',
  'mail.example',
];

export const PERSONAL_MAIL: Readonly<Record<Language, readonly string[]>> = {
  ru: ['gmail.com', 'mail.ru', 'yandex.ru', 'bk.ru'],
  en: ['gmail.com', 'outlook.com', 'icloud.com'],
};
