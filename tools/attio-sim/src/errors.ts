// Attio's error body, the same for every failure: `{status_code, type, code, message}`.

export class AttioError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  body(): { status_code: number; type: string; code: string; message: string } {
    return { status_code: this.status, type: this.type, code: this.code, message: this.message };
  }
}

export function notFound(message: string): AttioError {
  return new AttioError(404, 'invalid_request_error', 'not_found', message);
}

/** A request the document says is malformed (a field of the wrong type or out of range). */
export function validationError(message: string): AttioError {
  return new AttioError(400, 'invalid_request_error', 'validation_type', message);
}

export function filterError(message: string): AttioError {
  return new AttioError(400, 'invalid_request_error', 'filter_error', message);
}

/**
 * Not in the document (it lists no 401): the documented envelope with its `auth_error` type.
 */
export function unauthorized(message: string): AttioError {
  return new AttioError(401, 'auth_error', 'unauthorized', message);
}

export function rateLimited(): AttioError {
  return new AttioError(
    429,
    'rate_limit_error',
    'rate_limit_exceeded',
    'Rate limit exceeded, please try again later',
  );
}
