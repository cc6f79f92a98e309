import { AppError } from '../../http/errors.js';

/**
 * Turns the outbound triggers' refusals (SQLSTATE OB409, migration 0006) into the API's
 * 409 invalid_transition, so a race that slipped past the service check still answers cleanly.
 */
export function fromDatabaseError(error: unknown): unknown {
  const e = error as { code?: string; message?: string; detail?: string };
  if (e?.code !== 'OB409') return error;
  let details: unknown;
  try {
    details = e.detail ? JSON.parse(e.detail) : undefined;
  } catch {
    details = undefined;
  }
  return new AppError('invalid_transition', e.message ?? 'invalid transition', details);
}

export const isUniqueViolation = (error: unknown, constraintPart?: string) => {
  const e = error as { code?: string; constraint?: string };
  return (
    e?.code === '23505' && (!constraintPart || Boolean(e.constraint?.includes(constraintPart)))
  );
};
