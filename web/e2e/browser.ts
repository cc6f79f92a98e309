import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type Browser as ChromiumBrowser,
  type BrowserContext,
  type Page,
} from 'playwright-core';
import { expect } from 'vitest';

/**
 * Where signing in lands: Today when the user has an active project, Search when they have none
 * (web/src/app/page.tsx). For sign-ins whose test is about something else.
 */
export const LANDED = /\/(today|search)(?:[?#]|$)/;

export const SCREENSHOT_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../docs/screenshots',
);

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Debian's Chromium, headless, quiet: no background traffic to hosts this machine cannot reach. */
export const CHROMIUM_LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
};

/**
 * A person's browser with nothing in it yet: a fresh context of `engine` (its own cookies,
 * storage and cache, like a new profile) whose language is `locale` (navigator.language and
 * Accept-Language, as a user's system would set them). A context of the stack's one Chromium
 * instead of a Chromium of its own: launching one per person was 0.6 s of wall time and a browser
 * process, a GPU process and a network service each time, eighteen times a run
 * (docs/benchmarks.md, "Cutting the browser suite's CPU").
 */
export async function openBrowser(
  engine: ChromiumBrowser,
  baseURL: string,
  options: { locale?: string } = {},
): Promise<Browser> {
  const context = await engine.newContext({
    baseURL,
    locale: options.locale ?? 'en-US',
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  return { context, page, close: () => context.close() };
}

/** Debian's Chromium, headless, for one stack's browsers (e2e/stack.ts). */
export function launchChromium(): Promise<ChromiumBrowser> {
  return chromium.launch(CHROMIUM_LAUNCH);
}

/**
 * The whole page as docs/screenshots/<name>.png, the pictures the docs show: refreshed by a run of
 * the suite outside CI. CI runs in a clone it throws away and takes none; they were a seventh of
 * the browser's CPU in the suite (docs/benchmarks.md, "CI").
 */
export async function screenshot(page: Page, name: string) {
  if (process.env.CI) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/**
 * Searches for `query` from the page's search box until the results show an element with
 * `testId`: the demo's data becomes searchable while its first sync and indexing run, some
 * seconds after the stack starts (up to two minutes on a busy machine).
 */
export async function searchUntilShown(page: Page, query: string, testId: string) {
  await expect
    .poll(
      async () => {
        await searchOnce(page, query);
        return page.getByTestId(testId).count();
      },
      { timeout: 120_000, interval: 3_000 },
    )
    .toBeGreaterThan(0);
}

/**
 * Runs one search and waits until the page shows its outcome: evidence, "No evidence found", or
 * an error inside main (Next's route announcer is also role=alert, and always present).
 */
async function searchOnce(page: Page, query: string) {
  // Signing in lands on Today when a project is active: search from the search page.
  if (!new URL(page.url()).pathname.startsWith('/search')) await page.goto('/search');
  await page.getByRole('searchbox', { name: 'Search conversations' }).fill(query);
  await page.keyboard.press('Enter');
  await page
    .getByTestId('evidence-card')
    .or(page.getByText('No evidence found'))
    .or(page.getByRole('main').getByRole('alert'))
    .first()
    .waitFor();
}
