import type { SignalKind } from '@cairn/contract';

/**
 * The signal kinds in the order pages show them: the contract's SIGNAL_KINDS, restated here
 * because only the contract's types reach the browser bundle (lib/api-types.ts); the type below
 * fails to compile if the two lists ever differ.
 */
export const SIGNAL_KIND_ORDER = [
  'awaiting_reply',
  'commitment',
  'client_deadline',
  'payment',
  'risk',
  'stalled',
] as const satisfies readonly SignalKind[];

type Missing = Exclude<SignalKind, (typeof SIGNAL_KIND_ORDER)[number]>;
const everyKindListed: [Missing] extends [never] ? true : Missing = true;
void everyKindListed;

/** A kind this interface has words for, or 'other' (a kind added by a newer server). */
export const knownKind = (kind: string): (typeof SIGNAL_KIND_ORDER)[number] | 'other' =>
  (SIGNAL_KIND_ORDER as readonly string[]).includes(kind)
    ? (kind as (typeof SIGNAL_KIND_ORDER)[number])
    : 'other';
