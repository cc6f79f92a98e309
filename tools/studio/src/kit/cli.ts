// The command line every simulator shares: port, host, seed, size and a webhook target, checked
// the same way, and a clean stop on Ctrl-C.
import { parseArgs } from 'node:util';

export interface SimCliArgs {
  port: number;
  host: string;
  seed: string;
  size: string;
  webhook: { url: string; secret?: string } | undefined;
  /** The simulator's own string options, by name. */
  extra: Record<string, string | undefined>;
}

export function parseSimCli(
  defaults: { port: number; size: string },
  sizes: readonly string[],
  extraOptions: readonly string[] = [],
): SimCliArgs {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: String(defaults.port) },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string', default: '1' },
      size: { type: 'string', default: defaults.size },
      'webhook-url': { type: 'string' },
      'webhook-secret': { type: 'string' },
      ...Object.fromEntries(extraOptions.map((name) => [name, { type: 'string' as const }])),
    },
  });
  const text = values as Record<string, string | undefined>;
  const size = text['size']!;
  if (!sizes.includes(size)) {
    console.error(`--size must be one of ${sizes.join(', ')}`);
    process.exit(2);
  }
  const port = Number(text['port']);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error('--port must be an integer between 0 and 65535');
    process.exit(2);
  }
  const url = text['webhook-url'];
  return {
    port,
    host: text['host']!,
    seed: text['seed']!,
    size,
    webhook: url ? { url, secret: text['webhook-secret'] } : undefined,
    extra: Object.fromEntries(extraOptions.map((name) => [name, text[name]])),
  };
}

/** Stops the simulator (flushing webhooks) on SIGINT and SIGTERM, then exits. */
export function stopOnSignals(stop: () => Promise<void>): void {
  const shutdown = () => {
    void stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
