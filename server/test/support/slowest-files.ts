import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints the suite's ten slowest test files after a run (CI only, vitest.config.ts), so the place
 * a slower `.ci/run` comes from is visible in its log. Times are the file's tests and hooks plus
 * its import, as vitest measured them; no test asserts on them.
 */
export default class SlowestFiles implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    const rows = modules
      .map((m) => {
        const d = m.diagnostic();
        return {
          // The project too: the repository's run has the server's files twice (vitest.config.ts).
          file: `${m.project.name ? `${m.project.name}: ` : ''}${path.relative(process.cwd(), m.moduleId)}`,
          ms: d.duration + d.collectDuration,
        };
      })
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 10);
    if (rows.length === 0) return;
    const lines = rows.map((r) => `  ${(r.ms / 1000).toFixed(1).padStart(6)} s  ${r.file}`);
    process.stdout.write(`\nslowest test files:\n${lines.join('\n')}\n`);
  }
}
