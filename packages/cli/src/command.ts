import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usage } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command<O extends Options = Options> {
  name: string;
  summary: string;
  /** The usage line and option list `--help` prints. */
  help: string;
  options: O;
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number };
  run(
    values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>['values'],
    positionals: string[],
  ): Promise<void>;
}

export const defineCommand = <O extends Options>(command: Command<O>) =>
  command as unknown as Command;

/** Parses a command's arguments; anything it does not know is a usage error (exit 2). */
export function parse(command: Command, argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usage(`${(error as Error).message.split('\n')[0]} (see cairn ${command.name} --help)`);
  }
  const count = parsed.positionals.length;
  if (!parsed.values.help && (count < command.positionals.min || count > command.positionals.max)) {
    throw usage(`wrong number of arguments (see cairn ${command.name} --help)`);
  }
  return parsed;
}

/** Writes a line to stdout, waiting when the pipe is full: output stays bounded in memory. */
export async function writeLine(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) {
    await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  }
}
