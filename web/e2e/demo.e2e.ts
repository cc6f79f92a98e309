/**
 * The first run: with the demo on, a new user signs in to a labelled demo whose "Demo studio"
 * project is already bound, synced and embedded by the server, and a search returns evidence, in
 * the language of the browser.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openBrowser, screenshot, searchOnce, type Browser } from './browser';
import { catalogues } from './locale-check';
import { ADMIN, startStack, type Stack } from './stack';

let stack: Stack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  stack = await startStack({ demo: true });
  console.warn(`demo stack: ${stack.webUrl}, process output in ${stack.logFile}`);
  browser = await openBrowser(stack.webUrl);
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the demo on first run', () => {
  test('is labelled as a demo, on the login page and in the app', async () => {
    await page.goto('/login');
    await page.getByText('Demo', { exact: true }).waitFor();
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The demo project is active from the start, so signing in opens Today.
    await page.waitForURL('**/today');
    await page.getByRole('banner').getByText('Demo', { exact: true }).waitFor();
    await page.getByRole('button', { name: /Active project: Demo studio/ }).waitFor();
  });

  test('a search for a demo topic returns evidence within two minutes of start', async () => {
    await expect
      .poll(
        async () => {
          await searchOnce(page, 'invoice');
          return page.getByTestId('evidence-card').count();
        },
        { timeout: 120_000, interval: 3_000 },
      )
      .toBeGreaterThan(0);
    await screenshot(page, 'demo-search');
  });

  test('follows the browser: a Russian browser gets the demo in Russian', async () => {
    const { ru } = catalogues;
    const russian = await openBrowser(stack.webUrl, { locale: 'ru-RU' });
    const p = russian.page;
    try {
      await p.goto('/login');
      await p.getByText(ru.shell.demo, { exact: true }).waitFor();
      expect(await p.evaluate(() => document.documentElement.lang)).toBe('ru');
      await p.getByLabel(ru.login.username).fill(ADMIN.username);
      await p.getByLabel(ru.login.password).fill(ADMIN.password);
      await p.getByRole('button', { name: ru.login.signIn }).click();
      await p.waitForURL('**/today');
      await p.goto('/search');
      await p.getByRole('searchbox', { name: ru.search.formLabel }).fill('invoice');
      await p.keyboard.press('Enter');
      await p.getByTestId('evidence-card').first().waitFor();
      await expect(p.getByTestId('evidence-count').textContent()).resolves.toMatch(
        /^\d+ доказательств?(а|о)?$/,
      );
      await screenshot(p, 'demo-search-ru');
    } finally {
      await russian.close();
    }
  });
});
