/**
 * The Today page against the real stack: a synced account's unanswered client messages appear
 * as "Awaiting reply" signals with their cited text, and resolving one removes it from the page;
 * snoozing one moves the navigation's count; signing in again lands on Today; the portfolio
 * lists the project and opens its Today.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seriousViolations } from './axe';
import { screenshot, type Browser } from './browser';
import { ADMIN, startStack, type Stack } from './stack';

const WAITING_TEXT =
  'Could you send the Velvetine proposal over, please? We need it for the board.';

let stack: Stack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  stack = await startStack({ simSeed: 'e2e-today' });
  const conversationId = stack.sim.control.groundTruth.conversationIds()[0]!;
  stack.sim.control.addMessage({ conversationId, content: WAITING_TEXT, message_type: 'incoming' });
  browser = await stack.openBrowser();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('Today', () => {
  test('lists what awaits a reply after a sync, with its evidence, and resolves one', async () => {
    await page.goto('/login');
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/search');

    await page.goto('/projects');
    await page.getByLabel('Project name').fill('Velvetine');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('button', { name: /Active project: Velvetine/ }).waitFor();

    await page.goto('/sources');
    await page.getByLabel('Chatwoot URL').fill(stack.sim.url);
    await page.getByLabel('Account id').fill(String(stack.sim.accountId));
    await page.getByLabel('API access token').fill(stack.sim.token);
    await page.getByRole('button', { name: 'Bind account' }).click();
    await page.getByRole('heading', { name: `Chatwoot account ${stack.sim.accountId}` }).waitFor();

    await page.goto('/jobs');
    await page.getByRole('button', { name: 'Run sync' }).click();
    await page
      .getByTestId('run-row')
      .filter({ hasText: 'Chatwoot sync' })
      .filter({ has: page.getByText('ok', { exact: true }) })
      .first()
      .waitFor({ timeout: 120_000 });

    // The old generated history is long past any reply target: its waits are signals at once.
    await page.getByRole('link', { name: 'Today' }).click();
    await page.waitForURL('**/today');
    const waiting = page.getByRole('list', { name: 'Awaiting reply' });
    await waiting.getByTestId('signal').first().waitFor();
    const before = await waiting.getByTestId('signal').count();
    expect(before).toBeGreaterThan(0);
    await screenshot(page, 'today');

    await waiting.getByTestId('signal').first().getByRole('button', { name: 'Resolve' }).click();
    await expect
      .poll(() => waiting.getByTestId('signal').count(), { timeout: 20_000 })
      .toBe(before - 1);
  });

  test('snoozes a signal until tomorrow morning, and the navigation count follows', async () => {
    const waiting = page.getByRole('list', { name: 'Awaiting reply' });
    const badge = page.locator('[data-testid="today-count"]:visible');
    await badge.waitFor();
    const countBefore = Number(await badge.textContent());
    const before = await waiting.getByTestId('signal').count();
    await waiting.getByTestId('signal').first().getByRole('button', { name: 'Snooze' }).click();
    await page.getByRole('menuitem', { name: 'Until tomorrow morning' }).click();
    await expect
      .poll(() => waiting.getByTestId('signal').count(), { timeout: 20_000 })
      .toBe(before - 1);
    await expect
      .poll(async () => Number(await badge.textContent()), { timeout: 20_000 })
      .toBe(countBefore - 1);
  });

  test('lands on Today after signing in again', async () => {
    await page.getByRole('button', { name: `User menu for ${ADMIN.username}` }).click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.waitForURL('**/login**');
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/today');
    await page
      .getByRole('list', { name: 'Awaiting reply' })
      .getByTestId('signal')
      .first()
      .waitFor();
  });

  test('lists the project on the portfolio, which opens its Today', async () => {
    await page.getByRole('link', { name: 'Portfolio' }).click();
    await page.waitForURL('**/portfolio');
    const card = page.getByTestId('portfolio-project').filter({
      has: page.getByRole('heading', { name: 'Velvetine' }),
    });
    await card.waitFor();
    await expect.poll(() => card.getByText(/\d+ open signals?/).count()).toBeGreaterThan(0);
    await card.getByText('Oldest waiting reply').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'portfolio');
    await card.getByRole('button', { name: 'Open Today in Velvetine' }).click();
    await page.waitForURL('**/today');
    await page.getByRole('button', { name: /Active project: Velvetine/ }).waitFor();
  });

  test('saves the project’s signal settings from Projects', async () => {
    await page.goto('/projects');
    await page.getByRole('link', { name: 'Signal settings of Velvetine' }).click();
    await page.waitForURL('**/projects/*/signals');
    const target = page.getByLabel('Reply within (working hours)');
    await expect.poll(() => target.inputValue()).toBe('4');
    expect(await seriousViolations(page)).toEqual([]);
    await target.fill('2');
    await page.getByLabel('Time zone').fill('Europe/Moscow');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
    await page.reload();
    await expect.poll(() => page.getByLabel('Reply within (working hours)').inputValue()).toBe('2');
    await expect.poll(() => page.getByLabel('Time zone').inputValue()).toBe('Europe/Moscow');
  });
});
