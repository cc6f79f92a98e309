import type { Command } from './command.js';
import { parse } from './command.js';
import { exportCommand } from './commands/export.js';
import { login } from './commands/login.js';
import { mcp } from './commands/mcp.js';
import { search } from './commands/search.js';
import { signals } from './commands/signals.js';
import { status } from './commands/status.js';
import { sync } from './commands/sync.js';
import { thread } from './commands/thread.js';
import { CliError, EXIT } from './errors.js';

const COMMANDS: Command[] = [login, search, thread, signals, status, sync, exportCommand, mcp];

const overview = () =>
  [
    'cairn: Cairn from a terminal',
    '',
    'Usage: cairn COMMAND [options]   (cairn COMMAND --help for its options)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`),
    '',
    'Exit codes: 0 ok, 1 error, 2 usage, 3 authentication.',
    'CAIRN_URL and CAIRN_TOKEN override the login stored by cairn login.',
  ].join('\n');

/** Runs one command line; returns the exit code. Errors are one line on stderr. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`cairn: unknown command ${name} (see cairn --help)`);
    return EXIT.usage;
  }
  try {
    const { values, positionals } = parse(command, rest);
    if (values.help) {
      console.log(command.help);
      return EXIT.ok;
    }
    await command.run(values, positionals);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CliError) {
      console.error(`cairn ${name}: ${error.message}`);
      return error.exitCode;
    }
    console.error(`cairn ${name}: ${(error as Error).message}`);
    return EXIT.error;
  }
}
