import type { FastifyServerOptions } from 'fastify';
import type { Config } from '../config.js';

/** Paths pino blanks in every log line: credentials never reach a log. */
export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'req.headers.api_access_token',
  'res.headers["set-cookie"]',
  '*.password',
  '*.api_token',
  '*.apiToken',
  '*.token',
  '*.webhook_secret',
  '*.secret',
  '*.api_access_token',
];

export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Pretty output only for a person at a terminal; machines get JSON lines.
    ...(process.stdout.isTTY
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } }
      : {}),
  };
}
