/**
 * People across sources in the browser: on the demo (bound and synced by the server, which relinks
 * people after the sync), a conversation's contact leads to their person page with contact
 * points, the source records with what matched, and their conversations, in English and Russian.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seriousViolations } from './axe';
import { openBrowser, screenshot, type Browser } from './browser';
import { catalogues } from './locale-check';
import { ADMIN, startStack, type Stack } from './stack';

let stack: Stack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  stack = await startStack({ demo: true });
  console.warn(`people stack: ${stack.webUrl}, process output in ${stack.logFile}`);
  browser = await openBrowser(stack.webUrl);
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function openPersonFromConversation(p: Page) {
  await expect
    .poll(
      async () => {
        await p.goto('/conversations');
        await p
          .getByRole('main')
          .getByRole('link')
          .first()
          .waitFor({ timeout: 5_000 })
          .catch(() => undefined);
        return p.locator('a[href*="/conversations/view"]').count();
      },
      { timeout: 120_000, interval: 3_000 },
    )
    .toBeGreaterThan(0);
  await p.locator('a[href*="/conversations/view"]').first().click();
  const contact = p.getByTestId('conversation-contact');
  await contact.waitFor();
  await contact.click();
  await p.waitForURL('**/people/view?contact=*');
  // The conversations are listed as soon as the demo's Chatwoot sync stores them; the contact has
  // a person once the relink that follows the demo's syncs has run, which on a busy machine can
  // be later: until then the page says the contact is not linked, so reload until it is.
  await expect
    .poll(
      async () => {
        const found = await p
          .getByTestId('person-name')
          .waitFor({ timeout: 5_000 })
          .then(() => true)
          .catch(() => false);
        if (!found) await p.reload();
        return found;
      },
      { timeout: 120_000, interval: 1_000 },
    )
    .toBe(true);
}

describe('the person page', () => {
  test('opens from a conversation’s contact with their records and conversations', async () => {
    await page.goto('/login');
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/today');
    await page.getByRole('button', { name: /Active project: Demo studio/ }).waitFor();

    await openPersonFromConversation(page);
    const links = page.getByTestId('person-link');
    await links.first().waitFor();
    await expect(links.first().textContent()).resolves.toContain('Chatwoot');
    await page.getByTestId('person-conversation').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'person');
  });

  test('reads in Russian for a Russian browser', async () => {
    const { ru } = catalogues;
    const russian = await openBrowser(stack.webUrl, { locale: 'ru-RU' });
    const p = russian.page;
    try {
      await p.goto('/login');
      await p.getByLabel(ru.login.username).fill(ADMIN.username);
      await p.getByLabel(ru.login.password).fill(ADMIN.password);
      await p.getByRole('button', { name: ru.login.signIn }).click();
      await p.waitForURL('**/today');
      await openPersonFromConversation(p);
      await p.getByRole('heading', { name: ru.person.links }).waitFor();
      await p.getByRole('heading', { name: ru.person.conversations }).waitFor();
    } finally {
      await russian.close();
    }
  });
});
