/**
 * Team and access in the browser (issue 15, item 7): an owner invites a user with a one-time
 * link, the invitee sets a password in a fresh browser and signs in; made a viewer of a project,
 * they see none of the controls a viewer may not use. A personal token is created, its secret
 * shown once, and revoked. axe-core finds nothing serious on the new pages in either language.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { seriousViolations } from './axe';
import type { Browser } from './browser';
import { catalogues, signIn } from './locale-check';
import { ADMIN, startStack, type Stack } from './stack';

const INVITEE = { username: 'e2e-viewer', password: 'viewer-password-long-enough' };
const PROJECT = 'Team project';

let stack: Stack;
let owner: Browser;
let page: Page;
let projectId: string;
let invitationPath: string;

/** The status of a request made from the page with `headers` (the browser's own cookies off). */
async function apiStatus(p: Page, path: string, headers: Record<string, string>) {
  return p.evaluate(
    async ({ url, headers }) => (await fetch(url, { headers, credentials: 'omit' })).status,
    { url: `/api${path}`, headers },
  );
}

beforeAll(async () => {
  stack = await startStack();
  console.warn(`team stack: ${stack.webUrl}, process output in ${stack.logFile}`);
  owner = await stack.openBrowser();
  page = owner.page;
});

beforeEach((context) => {
  context.onTestFailed(async () => {
    const file = `${stack.dataDir}-failed-${context.task.name.replace(/\W+/g, '-')}.png`;
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    console.warn(`failure screenshot: ${file}`);
  });
});

afterAll(async () => {
  await owner?.close();
  await stack?.stop();
});

describe('team and access', () => {
  test('an owner invites a user and gets a one-time link to pass on', async () => {
    await signIn(page, ADMIN);
    await page.goto('/projects');
    await page.getByLabel('Project name').fill(PROJECT);
    await page.getByRole('button', { name: 'Create project' }).click();
    await page
      .getByTestId('project-row')
      .filter({ hasText: PROJECT })
      .getByText('Active')
      .waitFor();
    projectId = await page.evaluate(async (name) => {
      const body = (await (await fetch('/api/projects')).json()) as {
        projects: { id: string; name: string }[];
      };
      return body.projects.find((p) => p.name === name)!.id;
    }, PROJECT);

    await page.getByRole('navigation').getByRole('link', { name: 'Team' }).first().click();
    await page.getByRole('heading', { name: 'Team', level: 1 }).waitFor();
    await page.getByLabel('Username').fill(INVITEE.username);
    await page.getByLabel('Their language').selectOption('en');
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    const link = page.getByTestId('one-time-link');
    await link.waitFor();
    const url = await link.inputValue();
    expect(url).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
    invitationPath = new URL(url).pathname;
    // No email address was given: the page says nothing about mail.
    expect(await page.getByTestId('link-email').count()).toBe(0);
    await page
      .getByTestId('user-row')
      .filter({ hasText: INVITEE.username })
      .getByText('Invited')
      .waitFor();
  });

  test('the owner makes the invitee a viewer of the project', async () => {
    await page.goto('/projects');
    await page.getByRole('link', { name: `Members of ${PROJECT}` }).click();
    await page.getByRole('heading', { name: 'Project members', level: 1 }).waitFor();
    await page.getByLabel('User', { exact: true }).selectOption({ label: INVITEE.username });
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const row = page.getByTestId('member-row').filter({ hasText: INVITEE.username });
    await expect
      .poll(() => row.getByLabel(`Role of ${INVITEE.username}`).inputValue())
      .toBe('viewer');
  });

  test('the invitee sets a password in a fresh browser, once, and signs in as a viewer', async () => {
    const fresh = await stack.openBrowser();
    const p = fresh.page;
    try {
      await p.goto(invitationPath);
      await p.getByText(`For the user ${INVITEE.username}.`).waitFor();
      await p.getByLabel('New password').fill(INVITEE.password);
      await p.getByLabel('Repeat the password').fill(INVITEE.password);
      await p.getByRole('button', { name: 'Set password' }).click();
      await p.getByText(/Your password is set/).waitFor();
      // The link is spent.
      await p.goto(invitationPath);
      await p.getByText('This link is not valid or has expired').waitFor();

      await signIn(p, INVITEE);
      await p.goto('/projects');
      await p.getByTestId('project-row').filter({ hasText: PROJECT }).waitFor();
      // A viewer: no project creation, no rename, no members, no team.
      expect(await p.getByLabel('Project name').count()).toBe(0);
      expect(await p.getByRole('button', { name: /^Rename/ }).count()).toBe(0);
      expect(await p.getByRole('link', { name: `Members of ${PROJECT}` }).count()).toBe(0);
      expect(await p.getByRole('link', { name: 'Team', exact: true }).count()).toBe(0);
      await p.goto(`/projects/${projectId}/members`);
      await p.getByText('You cannot manage this project’s members').waitFor();
      // And the API refuses it anyway.
      expect(
        await p.evaluate(
          async (id) => (await fetch(`/api/projects/${id}/members`)).status,
          projectId,
        ),
      ).toBe(403);
    } finally {
      await fresh.close();
    }
  });

  test('a personal token is revealed once, works, and stops working when revoked', async () => {
    await page.goto('/settings/profile');
    await page.getByLabel('Token name').fill('e2e script');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByTestId('token-secret');
    await shown.waitFor();
    const secret = await shown.inputValue();
    expect(secret).toMatch(/^cairn_pat_[0-9A-Za-z]+$/);
    const bearer = { authorization: `Bearer ${secret}` };
    expect(await apiStatus(page, '/projects', bearer)).toBe(200);

    // Shown once: after a reload only the name and prefix are left.
    await page.reload();
    const row = page.getByTestId('token-row').filter({ hasText: 'e2e script' });
    await row.waitFor();
    expect(await page.getByTestId('token-secret').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);

    await row.getByRole('button', { name: 'Revoke the token e2e script' }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect(await apiStatus(page, '/projects', bearer)).toBe(401);
  });

  for (const [locale, browserLocale] of [
    ['en', 'en-US'],
    ['ru', 'ru-RU'],
  ] as const) {
    test(`axe finds nothing serious on the team pages in ${locale}`, async () => {
      const m = catalogues[locale];
      const b = await stack.openBrowser({ locale: browserLocale });
      const p = b.page;
      const problems: string[] = [];
      const check = async (name: string, heading: string) => {
        await p.getByRole('heading', { name: heading, level: 1 }).waitFor();
        expect(await p.evaluate(() => document.documentElement.lang)).toBe(locale);
        for (const v of await seriousViolations(p)) {
          problems.push(
            `${name}: axe ${v.id} (${v.impact}): ${v.help} at ${v.targets.join(' | ')}`,
          );
        }
      };
      try {
        await p.goto(invitationPath);
        await check('invite', m.invite.title);
        await signIn(p, ADMIN, locale);
        await p.goto('/settings/team');
        await p.getByTestId('user-row').first().waitFor();
        await check('team', m.team.title);
        await p.goto(`/projects/${projectId}/members`);
        await p.getByTestId('member-row').first().waitFor();
        await check('members', m.members.title);
        await p.goto('/settings/profile');
        await p.getByTestId('session-row').first().waitFor();
        await check('profile', m.settings.title);
        expect(problems).toEqual([]);
      } finally {
        await b.close();
      }
    });
  }
});
