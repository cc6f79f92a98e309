import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The real `cairn` binary of packages/cli, as `npx cairn` runs it. */
export const CAIRN_BIN = fileURLToPath(
  new URL('../../../packages/cli/bin/cairn.js', import.meta.url),
);

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `cairn` with its own config directory; CAIRN_URL and CAIRN_TOKEN are cleared unless
 * `env` sets them, so only what the test gives the binary counts.
 */
export function runCairn(
  args: string[],
  options: { configHome: string; stdin?: string; env?: Record<string, string> },
): Promise<CliOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CAIRN_BIN, ...args], {
      env: {
        ...process.env,
        XDG_CONFIG_HOME: options.configHome,
        CAIRN_URL: '',
        CAIRN_TOKEN: '',
        ...options.env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}
