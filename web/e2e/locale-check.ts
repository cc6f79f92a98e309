/**
 * What the browser suite checks of a language: the page's `lang`, and that no word of the other
 * language's catalogue is left in the interface.
 */
import type { Page } from 'playwright-core';
import { LANDED } from './browser';
import en from '../messages/en.json';
import ru from '../messages/ru.json';

export const catalogues = { en, ru };
export type Locale = keyof typeof catalogues;

function leaves(node: unknown, prefix = '', out = new Map<string, string>()) {
  if (typeof node === 'string') out.set(prefix, node);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      leaves(value, prefix ? `${prefix}.${key}` : key, out);
    }
  }
  return out;
}

/**
 * The texts of `other` that `locale` says differently, without ICU arguments: any of them in the
 * interface of a `locale` page is a string that escaped translation.
 */
function foreignTexts(locale: Locale): Set<string> {
  const own = leaves(catalogues[locale]);
  const other = leaves(catalogues[locale === 'en' ? 'ru' : 'en']);
  const texts = new Set<string>();
  for (const [key, text] of other) {
    if (own.get(key) !== text && !/[{}<]/.test(text) && /\p{L}{2}/u.test(text)) texts.add(text);
  }
  return texts;
}

/**
 * The interface's own words on the page (headings, labels, buttons, links, table headers, tabs,
 * and the accessible names and placeholders), left out: what users wrote (messages, names).
 */
async function interfaceTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const texts: string[] = [];
    const chrome =
      'h1, h2, h3, label, legend, th, button, a, [role="tab"], [role="menuitem"], [role="status"], [role="alert"]';
    for (const element of document.querySelectorAll<HTMLElement>(chrome)) {
      texts.push(...element.innerText.split('\n').map((line) => line.trim()));
    }
    for (const element of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
      for (const name of ['aria-label', 'placeholder', 'title']) {
        const value = element.getAttribute(name);
        if (value) texts.push(value.trim());
      }
    }
    texts.push(document.title);
    return texts.filter(Boolean);
  });
}

/** Asserts `lang` and returns the interface texts that belong to the other language. */
export async function otherLanguageLeftovers(page: Page, locale: Locale): Promise<string[]> {
  const lang = await page.evaluate(() => document.documentElement.lang);
  if (lang !== locale) return [`<html lang="${lang}">`];
  const foreign = foreignTexts(locale);
  return (await interfaceTexts(page)).filter((text) => foreign.has(text));
}

/** Signs `user` in through the login page of `p`, which speaks `locale`, and waits to land. */
export async function signIn(
  p: Page,
  user: { username: string; password: string },
  locale: Locale = 'en',
) {
  const m = catalogues[locale];
  await p.goto('/login');
  await p.getByLabel(m.login.username).fill(user.username);
  await p.getByLabel(m.login.password).fill(user.password);
  await p.getByRole('button', { name: m.login.signIn }).click();
  await p.waitForURL(LANDED);
}
