// bench/mcp/export: `cairn export` over a project of 100,000 messages, run as the real binary
// against a started API; prints the time, the lines written and the CLI process's peak resident
// memory (sampled from /proc every 50 ms), next to the same figures for 10,000 messages: a flat
// peak across the two sizes is what "streamed, not buffered" means.
//   npx tsx bench/mcp/export.ts
//   BENCH_MESSAGES=100000 DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/mcp/export.ts
// Prints figures; asserts nothing. Linux only (reads /proc).
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startApi } from '../support/api.js';
import { createProjectWithChunks, rng } from '../support/studio-chunks.js';

const LARGE = Number(process.env.BENCH_MESSAGES ?? 100_000);
const SMALL = Math.max(1000, Math.round(LARGE / 10));
const BIN = fileURLToPath(new URL('../../packages/cli/bin/cairn.js', import.meta.url));

const api = await startApi('export');
const base = api.baseUrl;

try {
  const small = await createProjectWithChunks(api.database, 'export-small', SMALL, rng(1));
  const large = await createProjectWithChunks(api.database, 'export-large', LARGE, rng(2));
  const token = await api.token('read', 'all');
  for (const [label, project] of [
    [`${SMALL} messages`, small],
    [`${LARGE} messages`, large],
  ] as const) {
    const { lines, ms, peakMb } = await runExport(token, project.projectId);
    console.log(
      `${label.padEnd(18)} ${lines} lines in ${(ms / 1000).toFixed(1)} s, CLI peak RSS ${peakMb.toFixed(0)} MB`,
    );
  }
} finally {
  await api.close();
}

function runExport(token: string, projectId: string) {
  return new Promise<{ lines: number; ms: number; peakMb: number }>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [BIN, 'export', '--project', projectId, '--format', 'jsonl'],
      { env: { ...process.env, CAIRN_URL: base, CAIRN_TOKEN: token } },
    );
    let lines = 0;
    let peakKb = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 10) lines++;
    });
    const sample = setInterval(() => {
      readFile(`/proc/${child.pid}/status`, 'utf8')
        .then((status) => {
          const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
          peakKb = Math.max(peakKb, kb);
        })
        .catch(() => undefined);
    }, 50);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sample);
      if (code !== 0) reject(new Error(`export exited ${code}`));
      else resolve({ lines, ms: performance.now() - started, peakMb: peakKb / 1024 });
    });
  });
}
