import { AppError } from './errors.js';

/**
 * The one place Postgres error codes become API errors. Services catch a database error, ask
 * `isUniqueViolation` about the constraint they expect (and answer with their own 409 wording),
 * and pass anything else through `fromDatabaseError`.
 */
const UNIQUE_VIOLATION = '23505';
/** Raised by the outbound state-machine triggers (migration 0006) with the refusal as JSON detail. */
const OUTBOUND_INVALID_TRANSITION = 'OB409';

interface PostgresError {
  code?: string;
  constraint?: string;
  message?: string;
  detail?: string;
}

/** A unique-index violation, optionally only of a constraint whose name contains `constraintPart`. */
export const isUniqueViolation = (error: unknown, constraintPart?: string) => {
  const e = error as PostgresError | null;
  return (
    e?.code === UNIQUE_VIOLATION &&
    (!constraintPart || Boolean(e.constraint?.includes(constraintPart)))
  );
};

/**
 * Turns the outbound triggers' refusals into the API's 409 invalid_transition, so a race that
 * slipped past the service check still answers cleanly; any other error is returned unchanged.
 */
export function fromDatabaseError(error: unknown): unknown {
  const e = error as PostgresError | null;
  if (e?.code !== OUTBOUND_INVALID_TRANSITION) return error;
  let details: unknown;
  try {
    details = e.detail ? JSON.parse(e.detail) : undefined;
  } catch {
    details = undefined;
  }
  return new AppError('invalid_transition', e.message ?? 'invalid transition', details);
}
