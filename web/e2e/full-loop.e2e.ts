/**
 * The whole product loop in a real browser against the real stack: log in, create a project, bind
 * the Chatwoot simulator, sync, embed, find a known message, draft a reply from it, approve, send,
 * see it arrive in the simulator, and see the audit chain verify. Tests run in order and share one
 * stack and one browser session, as a user's day would. Then, on the same stack: the main loop by
 * keyboard alone, every page in English and in Russian (lang, words, plurals, relative times, and
 * axe-core finding nothing serious), and the user's saved language winning over the browser's.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { seriousViolations } from './axe';
import { screenshot, type Browser } from './browser';
import { tabTo } from './keyboard';
import { catalogues, otherLanguageLeftovers, signIn, type Locale } from './locale-check';
import { ADMIN, startStack, type Stack } from './stack';

// Words no generated conversation contains, so the search can only find our message.
const KNOWN_TEXT =
  'Please confirm the Zephyrine palette for the brochure cover before Thursday, then we can print.';
const XSS_TEXT = 'Quokkaberry banner copy: <img src=x onerror=alert(1)> should read as plain text.';
const REPLY_TEXT = 'Thanks! The Zephyrine palette is confirmed; files go to print on Thursday.';

let stack: Stack;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];
let conversationId: number;
// Conversations with these many messages show each plural form ("1 сообщение", "2 сообщения",
// "5 сообщений", "21 сообщение").
const PLURAL_COUNTS = [1, 2, 5, 21] as const;
const pluralConversations: { count: number; displayId: number }[] = [];

async function runJobFromUi(buttonName: string, jobLabel: string) {
  await page.goto('/jobs');
  await page.getByRole('button', { name: buttonName }).click();
  // The run started here is followed live on the page (progress from the event stream).
  await page.getByTestId('live-runs').getByText(jobLabel).waitFor();
  // Completion arrives over Server-Sent Events and refreshes the run history by itself.
  const row = page
    .getByTestId('run-row')
    .filter({ hasText: jobLabel })
    .filter({ has: page.getByText('ok', { exact: true }) })
    .first();
  await row.waitFor({ timeout: 120_000 });
}

beforeAll(async () => {
  stack = await startStack();
  console.warn(`e2e stack: ${stack.webUrl}, process output in ${stack.logFile}`);
  conversationId = stack.sim.control.groundTruth.conversationIds()[0]!;
  stack.sim.control.addMessage({ conversationId, content: KNOWN_TEXT, message_type: 'incoming' });
  stack.sim.control.addMessage({ conversationId, content: XSS_TEXT, message_type: 'incoming' });
  for (const count of PLURAL_COUNTS) {
    const created = stack.sim.control.addConversation({
      contact: { name: `Plural client ${count}` },
      content: `Message 1 of ${count}`,
    }) as { id: number };
    for (let n = 2; n <= count; n++) {
      stack.sim.control.addMessage({
        conversationId: created.id,
        content: `Message ${n} of ${count}`,
        message_type: 'incoming',
      });
    }
    pluralConversations.push({ count, displayId: created.id });
  }
  browser = await stack.openBrowser();
  page = browser.page;
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
});

beforeEach((context) => {
  context.onTestFailed(async () => {
    const file = `${stack.dataDir}-failed-${context.task.name.replace(/\W+/g, '-')}.png`;
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    console.warn(`failure screenshot: ${file}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the evidence loop in the browser', () => {
  test('signs in and lands in the app shell', async () => {
    await page.goto('/login');
    await screenshot(page, 'login');
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/search');
    await page.getByRole('button', { name: `User menu for ${ADMIN.username}` }).waitFor();
    // A new user has no project yet: the page says so instead of failing with a 409.
    await page.getByText('No active project').waitFor();
  });

  test('creates a project, which becomes the active one', async () => {
    await page.goto('/projects');
    await page.getByLabel('Project name').fill('Northwind rebrand');
    await page.getByRole('button', { name: 'Create project' }).click();
    const row = page.getByTestId('project-row').filter({ hasText: 'Northwind rebrand' });
    await row.getByText('Active').waitFor();
    await page.getByRole('button', { name: /Active project: Northwind rebrand/ }).waitFor();
    await screenshot(page, 'projects');
  });

  test('binds the Chatwoot simulator and tests the connection', async () => {
    await page.goto('/sources');
    await page.getByLabel('Chatwoot URL').fill(stack.sim.url);
    await page.getByLabel('Account id').fill(String(stack.sim.accountId));
    await page.getByLabel('API access token').fill(stack.sim.token);
    await page.getByRole('button', { name: 'Bind account' }).click();
    await page.getByRole('heading', { name: `Chatwoot account ${stack.sim.accountId}` }).waitFor();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Connection works').waitFor();
    const webhookUrl = await page.getByTestId('webhook-url').textContent();
    expect(webhookUrl).toMatch(new RegExp(`^${stack.webUrl}/api/webhooks/chatwoot/[0-9a-f-]+`));
  });

  test('syncs the account with live progress, and the ledger shows it complete', async () => {
    await runJobFromUi('Run sync', 'Chatwoot sync');
    await page.goto('/sources');
    await expect
      .poll(() => page.getByTestId('completeness-percent').textContent(), { timeout: 20_000 })
      .toBe('100.0%');
    await screenshot(page, 'sources');
  });

  test('computes embeddings', async () => {
    await runJobFromUi('Run embeddings', 'Embeddings');
    await screenshot(page, 'jobs');
  });

  test('search finds the known message as evidence with its matches marked', async () => {
    await page.goto('/search');
    await page.getByRole('searchbox', { name: 'Search conversations' }).fill('Zephyrine palette');
    await page.keyboard.press('Enter');
    const card = page.getByTestId('evidence-card').first();
    await card.waitFor();
    await expect(card.getByTestId('evidence-snippet').textContent()).resolves.toContain(
      'Zephyrine',
    );
    await expect(card.locator('mark').first().textContent()).resolves.toMatch(/zephyrine/i);
    await card.getByRole('button', { name: 'Show scores' }).click();
    await card.getByText('Fused').waitFor();
    await screenshot(page, 'search');
  });

  test('a message carrying HTML is shown as text and never executed', async () => {
    await page.goto('/search?q=Quokkaberry');
    const snippet = page.getByTestId('evidence-snippet').first();
    await snippet.waitFor();
    await expect(snippet.textContent()).resolves.toContain('<img src=x onerror=alert(1)>');
    expect(await page.locator('[data-testid="evidence-card"] img').count()).toBe(0);
    await page.goto(
      `/conversations/view?id=${encodeURIComponent(await firstConversationGlobalId())}`,
    );
    await page.getByText('<img src=x onerror=alert(1)>', { exact: false }).first().waitFor();
    expect(await page.locator('ol[aria-label="Messages"] img').count()).toBe(0);
    const summary = page.getByTestId('conversation-summary');
    await summary.waitFor();
    await expect(
      summary.getByRole('link', { name: /Open in Chatwoot/ }).getAttribute('href'),
    ).resolves.toMatch(/^http:\/\/127\.0\.0\.1:\d+\/app\/accounts\/\d+\/conversations\/\d+$/);
    await screenshot(page, 'conversation');
    expect(dialogs).toEqual([]);
  });

  test('drafts a reply from the evidence, approves and sends it into the simulator', async () => {
    await page.goto('/search?q=Zephyrine%20palette');
    await page
      .getByTestId('evidence-card')
      .first()
      .getByRole('link', { name: 'Draft a reply from this' })
      .click();
    const composer = page.getByTestId('composer');
    await composer.waitFor();
    await expect(composer.getByTestId('evidence-ref').first().textContent()).resolves.toContain(
      'Zephyrine',
    );
    await composer.getByLabel('Message').fill(REPLY_TEXT);
    await composer.getByRole('button', { name: 'Save draft' }).click();

    const detail = page.getByTestId('outbound-detail');
    await detail.getByTestId('outbound-status').getByText('draft').waitFor();
    await detail.getByTestId('preflight').waitFor();
    await screenshot(page, 'outbound');
    await detail.getByRole('button', { name: 'Approve' }).click();
    await detail.getByTestId('outbound-status').getByText('approved').waitFor();
    await detail.getByRole('button', { name: 'Send now' }).click();
    await detail.getByTestId('outbound-status').getByText('sent').waitFor();
    await detail.getByTestId('attempt-row').first().waitFor();

    const delivered = stack.sim.control.listSentMessages().filter((m) => m.content === REPLY_TEXT);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.conversationId).toBe(conversationId);
  });

  test('the audit log shows the chain of actions and verifies it', async () => {
    await page.goto('/audit');
    await page.getByTestId('chain-status').getByText('Chain verified').waitFor();
    for (const action of ['outbound.draft', 'outbound.approve', 'outbound.send', 'source.bind']) {
      await page.getByTestId('audit-event').filter({ hasText: action }).first().waitFor();
    }
    const draftEvent = page
      .getByTestId('audit-event')
      .filter({ hasText: 'outbound.draft' })
      .first();
    await draftEvent.getByTestId('evidence-ref').first().getByRole('link').waitFor();
    await screenshot(page, 'audit');
  });

  test('an opt-out set in the policy editor blocks the next send, and preflight says why', async () => {
    const contactId = await page.evaluate(async (displayId) => {
      const response = await fetch('/api/conversations?limit=200', { credentials: 'include' });
      const body = (await response.json()) as {
        conversations: { conversation_id: number; contact_global_id: string }[];
      };
      return body.conversations.find((c) => c.conversation_id === displayId)!.contact_global_id;
    }, conversationId);
    await page.goto(`/outbound?tab=policies&contact=${encodeURIComponent(contactId)}`);
    await page.getByRole('switch', { name: 'Opted out' }).click();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Policy saved.').waitFor();
    await page.getByRole('table', { name: 'Contact policies' }).getByText('opted out').waitFor();

    await page.goto('/search?q=Zephyrine%20palette');
    await page
      .getByTestId('evidence-card')
      .first()
      .getByRole('link', { name: 'Draft a reply from this' })
      .click();
    await page.getByTestId('composer').getByLabel('Message').fill('One more note on the palette.');
    await page.getByRole('button', { name: 'Save draft' }).click();
    const detail = page.getByTestId('outbound-detail');
    await detail.getByTestId('outbound-status').getByText('draft').waitFor();
    await detail.getByRole('button', { name: 'Approve' }).click();
    await detail.getByTestId('outbound-status').getByText('approved').waitFor();
    await detail.getByTestId('preflight').getByText('Opt-out').waitFor();
    await expect(detail.getByTestId('preflight-verdict').textContent()).resolves.toContain(
      'would not be sent',
    );
    await detail.getByRole('button', { name: 'Send now' }).click();
    await detail.getByTestId('outbound-status').getByText('blocked opt out').waitFor();
    expect(
      stack.sim.control
        .listSentMessages()
        .filter((m) => m.content === 'One more note on the palette.'),
    ).toHaveLength(0);
  });

  test('a mutation sent from the page without the CSRF header is refused', async () => {
    const result = await page.evaluate(async () => {
      const response = await fetch('/api/projects', {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Forged project' }),
      });
      return { status: response.status, body: (await response.json()) as { error?: string } };
    });
    expect(result.status).toBe(403);
    expect(result.body.error).toBe('csrf_invalid');
  });

  test('an API error reads as a message with its request id, never raw JSON or a stack', async () => {
    const missing = 'cw:00000000-0000-4000-8000-000000000000:1:999999';
    await page.goto(`/conversations/view?id=${encodeURIComponent(missing)}`);
    const alert = page.getByRole('alert').filter({ hasText: 'Request id' });
    await alert.waitFor();
    const text = await alert.innerText();
    expect(text).toMatch(/Request id: \S{8,}/);
    expect(text).not.toMatch(/[{}]|"ok"|"error"|at \S+\.(ts|js)/);
  });

  test('switching projects changes every list', async () => {
    await page.goto('/conversations');
    await page.getByTestId('conversation-row').first().waitFor();
    await screenshot(page, 'conversations');
    await page.goto('/contacts');
    await page.getByTestId('contact-row').first().waitFor();
    await screenshot(page, 'contacts');

    // A thread with private notes and activity messages shows each kind apart from client mail.
    const withNotes = await page.evaluate(async () => {
      const response = await fetch('/api/messages?limit=500', { credentials: 'include' });
      const body = (await response.json()) as {
        messages: { conversation_global_id: string; private: boolean }[];
      };
      return body.messages.find((m) => m.private)?.conversation_global_id ?? null;
    });
    expect(withNotes).not.toBeNull();
    await page.goto(`/conversations/view?id=${encodeURIComponent(withNotes!)}`);
    await page.locator('[data-kind="private"]').first().getByText('Private note').waitFor();
    await screenshot(page, 'conversation-notes');

    await page.goto('/projects');
    await page.getByLabel('Project name').fill('Empty side project');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('button', { name: /Active project: Empty side project/ }).waitFor();

    // Inside the app, as a person moves: the first project's lists are still in the page's query
    // cache, and none of them may show for this one.
    await navigateInApp(page, '/conversations');
    await page.getByText('No conversations').waitFor();
    await navigateInApp(page, '/contacts');
    await page.getByText('No contacts').waitFor();
    await navigateInApp(page, '/outbound');
    await page.getByText('No outbound messages yet').waitFor();
    await navigateInApp(page, '/sources');
    await page.getByText('No source bound yet').waitFor();
    await navigateInApp(page, '/search?q=Zephyrine');
    await page.getByText('No evidence found').waitFor();
    await navigateInApp(page, '/audit');
    expect(await page.getByTestId('audit-event').filter({ hasText: 'outbound.send' }).count()).toBe(
      0,
    );

    // Back through the switcher in the header: the first project's data returns everywhere.
    await page.getByRole('button', { name: /Active project: Empty side project/ }).click();
    await page.getByRole('menuitemradio', { name: 'Northwind rebrand' }).click();
    await page.getByRole('button', { name: /Active project: Northwind rebrand/ }).waitFor();
    await page.getByTestId('audit-event').filter({ hasText: 'outbound.send' }).first().waitFor();
    await navigateInApp(page, '/conversations');
    await page.getByTestId('conversation-row').first().waitFor();
    await navigateInApp(page, '/outbound');
    await page.getByTestId('outbound-row').first().waitFor();
  });

  test('the main pages work at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/search?q=Zephyrine');
    await page.getByTestId('evidence-card').first().waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'search-mobile');
    await page.goto('/outbound');
    await page.getByTestId('outbound-row').first().waitFor();
    await screenshot(page, 'outbound-mobile');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('logs out from the user menu', async () => {
    await page.getByRole('button', { name: `User menu for ${ADMIN.username}` }).click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.waitForURL('**/login**');
  });

  test('repeated wrong passwords are slowed down, and the page says for how long', async () => {
    await page.goto('/login');
    const attempts = 11; // one past LOGIN_RATE_LIMIT_MAX_ATTEMPTS' default of 10
    for (let i = 0; i < attempts; i++) {
      await page.getByLabel('Username').fill('mallory');
      await page.getByLabel('Password').fill(`guess-${i}`);
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/auth/login'));
      await page.getByRole('button', { name: 'Sign in' }).click();
      if ((await answered).status() === 429) break;
    }
    const alert = page.getByRole('alert').filter({ hasText: 'Too many sign-in attempts' });
    await expect(alert.textContent()).resolves.toMatch(/Try again in \d+ (seconds?|minutes?)/);
    await expect(page.getByRole('button', { name: 'Sign in' }).isDisabled()).resolves.toBe(true);
  });
});

const { en, ru } = catalogues;
const PLURALS: Record<Locale, string[]> = {
  en: ['1 message', '2 messages', '5 messages', '21 messages'],
  ru: ['1 сообщение', '2 сообщения', '5 сообщений', '21 сообщение'],
};
const RELATIVE_TIME: Record<Locale, RegExp> = { en: / ago$/, ru: / назад$/ };

/**
 * Goes to `path` inside the app, as a link would: the page stays loaded with its query cache, as
 * a person's does, and the every-page checks measure each page's own rendering instead of loading
 * the whole app (and axe-core) again per page, which was two thirds of their time. Every page's
 * server rendering is loaded whole by another test, or by these checks (`Visit.whole`). Next's
 * app router instance on `window.next` is its debugging handle; should it go away, this fails at
 * the first page, not silently.
 */
async function navigateInApp(browserPage: Page, path: string) {
  await browserPage.evaluate((href) => {
    const { router } = (window as unknown as { next: { router: { push(href: string): void } } })
      .next;
    router.push(href);
  }, path);
  await browserPage.waitForURL((url) => `${url.pathname}${url.search}` === path);
}

const h1 = (browserPage: Page, name: string) =>
  browserPage.getByRole('heading', { level: 1, name, exact: true });

interface Visit {
  name: string;
  path: string;
  title: string;
  ready: (browserPage: Page) => Locator;
  /** The docs/screenshots name, taken in Russian (the English ones come from the loop above). */
  screenshot?: string;
  /** Loaded whole rather than reached inside the app: no other test loads it so. */
  whole?: true;
}

/** Every page of the app, in a state worth checking, with its heading in `locale`. */
async function everyPage(browserPage: Page, locale: Locale): Promise<Visit[]> {
  const m = catalogues[locale];
  // The same conversation and reply as the English screenshots of the loop above.
  const ids = await browserPage.evaluate(
    async ({ displayId, reply }) => {
      const get = async (path: string) =>
        (await (await fetch(`/api${path}`, { credentials: 'include' })).json()) as Record<
          string,
          { id: string; conversation_id?: number; payload?: { content: string } }[]
        >;
      return {
        conversation: (await get('/conversations?limit=200')).conversations!.find(
          (c) => c.conversation_id === displayId,
        )!.id,
        outbound: (await get('/outbound?limit=50')).items!.find(
          (m) => m.payload?.content === reply,
        )!.id,
      };
    },
    { displayId: conversationId, reply: REPLY_TEXT },
  );
  return [
    {
      name: 'search',
      path: '/search?q=Zephyrine%20palette',
      title: m.search.title,
      ready: (p) => p.getByTestId('evidence-card'),
      screenshot: 'search',
    },
    {
      name: 'conversations',
      path: '/conversations',
      title: m.conversations.title,
      ready: (p) => p.getByTestId('conversation-row'),
      screenshot: 'conversations',
    },
    {
      name: 'conversation',
      path: `/conversations/view?id=${encodeURIComponent(ids.conversation)}`,
      title: m.thread.title,
      ready: (p) => p.getByTestId('conversation-summary'),
      screenshot: 'conversation',
    },
    {
      name: 'today',
      path: '/today',
      title: m.today.title,
      ready: (p) => p.getByTestId('signal').or(p.getByText(m.today.emptyTitle)),
    },
    {
      name: 'ask',
      path: '/ask',
      title: m.ask.title,
      ready: (p) => p.getByText(m.ask.emptyTitle),
    },
    {
      name: 'contacts',
      path: '/contacts',
      title: m.contacts.title,
      ready: (p) => p.getByTestId('contact-row'),
      screenshot: 'contacts',
    },
    {
      name: 'outbound',
      path: `/outbound?id=${encodeURIComponent(ids.outbound)}`,
      title: m.outbound.title,
      ready: (p) => p.getByTestId('outbound-detail').getByTestId('outbound-status'),
      screenshot: 'outbound',
    },
    {
      name: 'contact policies',
      path: '/outbound?tab=policies',
      title: m.outbound.title,
      ready: (p) => p.getByRole('table', { name: m.policies.table }),
    },
    {
      name: 'jobs',
      path: '/jobs',
      title: m.jobs.title,
      ready: (p) => p.getByTestId('run-row'),
      screenshot: 'jobs',
    },
    {
      name: 'sources',
      path: '/sources',
      title: m.sources.title,
      ready: (p) => p.getByTestId('completeness-percent'),
      screenshot: 'sources',
    },
    {
      name: 'audit',
      path: '/audit',
      title: m.audit.title,
      ready: (p) => p.getByTestId('audit-event'),
      screenshot: 'audit',
    },
    {
      name: 'projects',
      path: '/projects',
      title: m.projects.title,
      ready: (p) => p.getByTestId('project-row'),
      screenshot: 'projects',
    },
    {
      name: 'profile settings',
      path: '/settings/profile',
      title: m.settings.title,
      ready: (p) => p.getByRole('radio', { checked: true }),
      screenshot: 'settings',
    },
    {
      name: 'page not found',
      path: '/no-such-page',
      title: m.notFound.title,
      ready: (p) => p.getByRole('link', { name: m.notFound.goToSearch }),
      whole: true,
    },
  ];
}

/**
 * Opens a browser whose language is `browserLocale`, and checks that every page speaks `locale`:
 * `<html lang>`, no word of the other language's catalogue in the interface, plural forms and
 * relative times, and no serious or critical axe-core violation.
 */
async function checkEveryPage(locale: Locale, browserLocale: string) {
  const browserOf = await stack.openBrowser({ locale: browserLocale });
  const p = browserOf.page;
  const m = catalogues[locale];
  const problems: string[] = [];
  const check = async (name: string) => {
    for (const v of await seriousViolations(p)) {
      problems.push(`${name}: axe ${v.id} (${v.impact}): ${v.help} at ${v.targets.join(' | ')}`);
    }
    for (const text of await otherLanguageLeftovers(p, locale)) {
      problems.push(`${name}: "${text}" is not in ${locale}`);
    }
  };
  try {
    await p.goto('/login');
    await h1(p, m.login.title).waitFor();
    await check('login');
    if (locale === 'ru') await screenshot(p, 'login-ru');
    await signIn(p, ADMIN, locale);
    for (const visit of await everyPage(p, locale)) {
      await (visit.whole ? p.goto(visit.path) : navigateInApp(p, visit.path));
      await h1(p, visit.title).waitFor();
      await visit.ready(p).first().waitFor();
      // Inside the app the page's <title> comes with its metadata, which Next streams after the
      // page itself: checked before it arrives, the page had no title at all.
      await p.waitForFunction(() => document.title !== '');
      await check(visit.name);
      if (visit.screenshot && (locale === 'ru' || visit.screenshot === 'settings')) {
        await screenshot(p, locale === 'ru' ? `${visit.screenshot}-ru` : visit.screenshot);
      }
    }

    const shown: string[] = [];
    for (const { displayId } of pluralConversations) {
      const globalId = await p.evaluate(async (wanted) => {
        const response = await fetch('/api/conversations?limit=200', { credentials: 'include' });
        const body = (await response.json()) as {
          conversations: { id: string; conversation_id: number }[];
        };
        return body.conversations.find((c) => c.conversation_id === wanted)!.id;
      }, displayId);
      await navigateInApp(p, `/conversations/view?id=${encodeURIComponent(globalId)}`);
      shown.push((await p.getByTestId('message-count').textContent()) ?? '');
    }
    expect(shown).toEqual(PLURALS[locale]);

    await navigateInApp(p, '/conversations');
    await p.getByTestId('conversation-row').locator('time').first().waitFor();
    const times = await p.getByTestId('conversation-row').locator('time').allTextContents();
    expect(times.length).toBeGreaterThan(0);
    expect(times.filter((text) => RELATIVE_TIME[locale].test(text))).not.toEqual([]);
    expect(problems, problems.join('\n')).toEqual([]);
  } finally {
    await browserOf.close();
  }
}

describe('in either language, by keyboard, for everyone', () => {
  test('the main loop works with the keyboard alone: search, open the evidence, draft, approve', async () => {
    const keyboardBrowser = await stack.openBrowser({ locale: 'en-US' });
    const p = keyboardBrowser.page;
    try {
      await signIn(p, ADMIN, 'en');
      await p.goto('/search');
      await p.getByRole('searchbox', { name: en.search.formLabel }).waitFor();
      // The search box has the focus when the page opens: typing is the first thing to do.
      await expect.poll(() => p.evaluate(() => document.activeElement?.id)).toBe('search-query');
      await p.keyboard.type('Zephyrine palette');
      await p.keyboard.press('Enter');
      await p.getByTestId('evidence-card').first().waitFor();

      await tabTo(p, en.search.openConversation);
      await p.keyboard.press('Enter');
      await p.waitForURL('**/conversations/view**');
      await p.getByTestId('thread-message').first().waitFor();

      await tabTo(p, en.thread.draftReply);
      await p.keyboard.press('Enter');
      await p.getByTestId('composer').waitFor();
      await tabTo(p, en.composer.message);
      await p.keyboard.type('Typed without a mouse: the palette is confirmed.');
      await tabTo(p, en.composer.save);
      await p.keyboard.press('Enter');

      const detail = p.getByTestId('outbound-detail');
      await detail.getByTestId('outbound-status').getByText(en.status.draft).waitFor();
      await tabTo(p, en.outbound.approve);
      await p.keyboard.press('Space');
      await detail.getByTestId('outbound-status').getByText(en.status.approved).waitFor();
    } finally {
      await keyboardBrowser.close();
    }
  });

  // The two languages' checks run at the same time, each in a browser of its own, reading what
  // the tests above wrote and writing nothing: this file is the suite's longest, and for its last
  // half-minute the other file's core sat idle while one check waited for the other.
  test.concurrent(
    'an English browser gets every page in English with lang="en", and axe finds nothing serious',
    async () => {
      await checkEveryPage('en', 'en-US');
    },
  );

  test.concurrent(
    'a Russian browser gets every page in Russian with lang="ru", plural forms and relative times, and axe finds nothing serious',
    async () => {
      await checkEveryPage('ru', 'ru-RU');
    },
  );

  test('the saved language wins over the browser, and switching keeps the page and its data', async () => {
    const english = await stack.openBrowser({ locale: 'en-US' });
    const p = english.page;
    try {
      await signIn(p, ADMIN, 'en');
      await p.goto('/settings/profile');
      await h1(p, en.settings.title).waitFor();
      await p.getByRole('radio', { name: en.settings.language.automatic, checked: true }).waitFor();

      // Switching changes the words in place: same document, and no API data is read again.
      await p.evaluate(() => Object.assign(window, { __sameDocument: true }));
      const reads: string[] = [];
      const onRequest = (request: { url(): string; method(): string }) => {
        if (request.method() === 'GET' && new URL(request.url()).pathname.startsWith('/api/')) {
          reads.push(request.url());
        }
      };
      p.on('request', onRequest);
      await p.getByRole('radio', { name: ru.settings.languageNames.ru }).check();
      await h1(p, ru.settings.title).waitFor();
      await p.getByRole('link', { name: ru.nav.conversations }).first().waitFor();
      await expect.poll(() => p.evaluate(() => document.documentElement.lang)).toBe('ru');
      expect(await p.evaluate(() => '__sameDocument' in window)).toBe(true);
      p.off('request', onRequest);
      expect(reads).toEqual([]);
    } finally {
      await english.close();
    }

    // Another English browser, never used by this user: the saved Russian wins from sign-in on.
    const another = await stack.openBrowser({ locale: 'en-US' });
    try {
      await another.page.goto('/login');
      await h1(another.page, en.login.title).waitFor();
      await signIn(another.page, ADMIN, 'en');
      await h1(another.page, ru.today.title).waitFor();
      expect(await another.page.evaluate(() => document.documentElement.lang)).toBe('ru');

      // Back to "follow the browser": English again, here and at the next sign-in anywhere.
      await another.page.goto('/settings/profile');
      await another.page.getByRole('radio', { name: ru.settings.language.automatic }).check();
      await h1(another.page, en.settings.title).waitFor();
      expect(await another.page.evaluate(() => document.documentElement.lang)).toBe('en');
    } finally {
      await another.close();
    }
  });
});

async function firstConversationGlobalId(): Promise<string> {
  return page.evaluate(async (displayId) => {
    const response = await fetch('/api/conversations?limit=200', { credentials: 'include' });
    const body = (await response.json()) as {
      conversations: { id: string; conversation_id: number }[];
    };
    return body.conversations.find((c) => c.conversation_id === displayId)!.id;
  }, conversationId);
}
