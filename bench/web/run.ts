// bench/web: production JavaScript per page, and time to interactive of the search page.
//   npx tsx bench/web/run.ts            (builds the web UI if needed, starts the real stack)
//   BENCH_LOADS=20 npx tsx bench/web/run.ts
// Prints figures; asserts nothing.
/// <reference lib="dom" />
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_LAUNCH } from '../../web/e2e/browser.js';
import { ADMIN, ensureWebBuild, startStack } from '../../web/e2e/stack.js';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
const nextDir = path.join(webDir, '.next');
const LOADS = Number(process.env.BENCH_LOADS ?? 10);

/**
 * The app's page routes, from the build's manifest. Pages render per request (the locale comes
 * from the request), so their HTML is fetched from the running stack, not read from the build.
 */
function pageRoutes(): string[] {
  const manifest = JSON.parse(
    readFileSync(path.join(nextDir, 'server/app-paths-manifest.json'), 'utf8'),
  ) as Record<string, string>;
  return Object.keys(manifest)
    .filter((entry) => entry.endsWith('/page') && !entry.startsWith('/_'))
    .map((entry) => entry.replace(/\/page$/, '').replace(/\/\(.*?\)/g, '') || '/')
    .sort();
}

/** The scripts a page loads before it can run: every <script src> of its HTML. */
function pageJavaScript(route: string, html: string) {
  // noModule scripts (polyfills) are skipped by every browser the UI supports.
  const sources = [
    ...new Set(
      [...html.matchAll(/<script([^>]+)>/g)]
        .filter((m) => !/noModule/i.test(m[1]!))
        .map((m) => /src="([^"]+\.js)"/.exec(m[1]!)?.[1])
        .filter((src): src is string => src !== undefined),
    ),
  ];
  let raw = 0;
  let gzip = 0;
  for (const src of sources) {
    const file = path.join(nextDir, src.replace(/^\/_next\//, ''));
    const bytes = readFileSync(file);
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { route, scripts: sources.length, raw, gzip };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

ensureWebBuild();
const stack = await startStack({ simSeed: 'bench' });
const browser = await chromium.launch(CHROMIUM_LAUNCH);
try {
  const context = await browser.newContext({ baseURL: stack.webUrl });
  const headers = { origin: stack.webUrl };
  await context.request.post('/api/auth/login', { data: ADMIN, headers });
  const csrf = (await context.cookies()).find((c) => c.name === 'csrf_token')!.value;
  const created = await context.request.post('/api/projects', {
    data: { name: 'Bench project' },
    headers: { ...headers, 'x-csrf-token': csrf },
  });
  const { project } = (await created.json()) as { project: { id: string } };
  await context.request.post(`/api/projects/${project.id}/select`, {
    data: {},
    headers: { ...headers, 'x-csrf-token': csrf },
  });

  const pages: ReturnType<typeof pageJavaScript>[] = [];
  for (const route of pageRoutes()) {
    const response = await context.request.get(route, { maxRedirects: 0 });
    if (response.status() === 200) pages.push(pageJavaScript(route, await response.text()));
  }
  pages.sort((a, b) => b.gzip - a.gzip);
  console.log('First-load JavaScript per page (production build):');
  console.log('  route                  scripts        raw       gzip');
  for (const p of pages) {
    console.log(
      `  ${p.route.padEnd(22)} ${String(p.scripts).padStart(7)} ${kb(p.raw).padStart(10)} ${kb(p.gzip).padStart(10)}`,
    );
  }
  const largest = pages[0]!;
  console.log(`Largest page: ${largest.route} — ${kb(largest.raw)} raw, ${kb(largest.gzip)} gzip`);
  const buildId = statSync(path.join(nextDir, 'BUILD_ID')).mtime.toISOString();
  console.log(`(build of ${buildId})\n`);

  // Interactive = the search box exists, is enabled and has focus: React has hydrated, the
  // session and the project have loaded, and a keystroke would land in the box.
  const measure = async (page: Page) => {
    await page.goto('/search', { waitUntil: 'commit' });
    await page.waitForFunction(() => {
      const box = document.getElementById('search-query') as HTMLInputElement | null;
      return box !== null && !box.disabled && document.activeElement === box;
    });
    return page.evaluate(() => performance.now());
  };
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    // A fresh context per cold load: empty HTTP cache, same session cookies.
    const fresh = await browser.newContext({ baseURL: stack.webUrl });
    await fresh.addCookies(await context.cookies());
    cold.push(await measure(await fresh.newPage()));
    await fresh.close();
  }
  const page = await context.newPage();
  await measure(page);
  for (let i = 0; i < LOADS; i++) warm.push(await measure(page));

  const line = (name: string, values: number[]) =>
    `  ${name.padEnd(18)} p50 ${percentile(values, 50).toFixed(0).padStart(5)} ms   p95 ${percentile(values, 95).toFixed(0).padStart(5)} ms   (n=${values.length})`;
  console.log(
    'Time to interactive of /search (navigation start → search box hydrated and focused):',
  );
  console.log(line('cold cache', cold));
  console.log(line('warm cache', warm));
} finally {
  await browser.close();
  await stack.stop();
}
