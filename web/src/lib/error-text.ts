'use client';
import { useTranslations } from 'next-intl';
import { ApiError } from './api-client';

/**
 * Codes whose English server message carries specifics worth keeping under the localized text
 * (which field, which upstream answer); for the others the localized text says it all.
 */
const DETAILED_CODES = new Set([
  'validation_error',
  'invalid_input',
  'upstream_error',
  'conflict',
  'invalid_transition',
]);

export interface ErrorText {
  /** In the user's language, chosen by the error code. */
  text: string;
  /** The server's own (English) message when it adds something, shown smaller, marked lang=en. */
  detail: string | null;
  requestId: string | null;
}

/**
 * What to tell a person about an error: the catalogue's text for its stable code
 * (`errors.<code>`, the codes of server/src/http/errors.ts plus the client's own), falling back
 * to the server's English message for a code the catalogue does not know yet.
 */
export function useErrorText() {
  const t = useTranslations('errors');
  return (error: unknown): ErrorText => {
    if (!(error instanceof ApiError)) {
      return { text: t('unexpected'), detail: null, requestId: null };
    }
    const code = error.code as Parameters<typeof t>[0];
    const known = t.has(code);
    const text = known
      ? t(code, { seconds: error.retryAfterSeconds ?? 60 })
      : /^http_\d+$/.test(error.code)
        ? t('http', { status: error.status })
        : error.message;
    const detail = known && DETAILED_CODES.has(error.code) ? error.message : null;
    return { text, detail, requestId: error.requestId };
  };
}
