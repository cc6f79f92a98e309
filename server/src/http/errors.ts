/**
 * The one application error. Thrown anywhere; the error handler turns it into the envelope
 * `{ ok: false, error: code, message, request_id, details? }` with the status from this table.
 */
export const ERROR_STATUS = {
  /** A body, query or params failed its schema; details lists the failing fields. */
  validation_error: 400,
  /** Evidence refs that do not resolve in the active project, and similar semantic input errors. */
  invalid_input: 400,
  /** No valid, unexpired session cookie on a protected route. */
  unauthorized: 401,
  /** Wrong username or password; identical for unknown users. */
  invalid_credentials: 401,
  /** Webhook signature, timestamp or token check failed. */
  invalid_signature: 401,
  /** Missing or wrong x-csrf-token, or a cross-site / foreign-origin mutation. */
  csrf_invalid: 403,
  /** The action is not allowed for this user (e.g. approving your own draft with four eyes). */
  forbidden: 403,
  /** Missing, or belonging to another project: the two are indistinguishable on purpose. */
  not_found: 404,
  /** A scoped route was called with no active project on the session. */
  active_project_required: 409,
  /** The Chatwoot account is already bound to another project. */
  source_already_bound: 409,
  /** An outbound state change that the state machine does not allow. */
  invalid_transition: 409,
  /** A dedupe key that another outbound message already holds. */
  duplicate: 409,
  /** A request with this idempotency key is still being processed. */
  idempotency_in_flight: 409,
  /** A generic state conflict (e.g. a unique name already taken). */
  conflict: 409,
  /** The body is larger than BODY_LIMIT_BYTES. */
  payload_too_large: 413,
  /** A path parameter longer than the router accepts. */
  uri_too_long: 414,
  /** The body is not application/json. */
  unsupported_media_type: 415,
  /** The same idempotency key was used with a different body. */
  idempotency_conflict: 422,
  /** Too many attempts; Retry-After says when to try again. */
  rate_limited: 429,
  /** Anything unexpected; details are logged, never returned. */
  internal_error: 500,
  /** An upstream service (Chatwoot, embeddings provider) failed. */
  upstream_error: 502,
  /** The database cannot be reached. */
  db_unavailable: 503,
  /** The server is still starting (migrating its database); details.phase says where it is. */
  starting: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
    this.statusCode = ERROR_STATUS[code];
  }
}

export const notFound = (what = 'resource') => new AppError('not_found', `${what} not found`);
