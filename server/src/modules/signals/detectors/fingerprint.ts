import { createHash } from 'node:crypto';
import type { DetectorName } from './types.js';

/**
 * A signal's identity: the detector and the ids of what the condition is about (a message, a
 * conversation, an issue, an invoice number), never text offsets, severity, dates or the time of
 * the run, so an unchanged condition keeps its fingerprint and a new one gets a new fingerprint.
 * Hashed so the ids' shapes (which carry the project id) do not leak into a column meant for
 * equality, and so it has one length.
 */
export function fingerprint(detector: DetectorName, ...parts: (string | number)[]): string {
  return createHash('sha256')
    .update([detector, ...parts.map(String)].join('\u001f'))
    .digest('hex')
    .slice(0, 40);
}
