'use client';
import { useTranslations } from 'next-intl';

/** Namespaces that map a server code (a status, a job name, a reason) to the words for it. */
export type CodeNamespace =
  | 'status'
  | 'jobs.names'
  | 'jobs.entities'
  | 'jobs.counts'
  | 'jobs.phases'
  | 'outbound.reasons'
  | 'preflight.checks'
  | 'sources.gapReasons'
  | 'audit.brokenReasons'
  | 'audit.entityTypes'
  | 'evidence.sources'
  | 'search.senderTypes'
  | 'person.sources'
  | 'person.entities'
  | 'person.matchedOn'
  | 'person.crmObjects'
  | 'person.issueStates';

/**
 * The words for a code the server sends (`draft`, `chatwoot_sync`, `opt_out`), or the code itself
 * with spaces for underscores when the catalogue has none yet: a code added on the server shows
 * readably before anyone translates it.
 */
export function useCodeLabel(namespace: CodeNamespace) {
  const t = useTranslations();
  return (code: string): string => {
    // The code arrives at run time, so the compile-time key check cannot apply: the key is
    // checked with `has` instead. Every message in these namespaces is plain text (no arguments),
    // which is what the representative key type below stands for.
    const key = `${namespace}.${code}` as 'status.ok';
    return !code.includes('.') && t.has(key) ? t(key) : code.replaceAll('_', ' ');
  };
}

/**
 * Chatwoot's sender types (`Contact`, `User`, `AgentBot`) as the catalogue's codes (`contact`,
 * `user`, `agent_bot`), for `useCodeLabel('search.senderTypes')`.
 */
export function senderCode(senderType: string): string {
  return senderType.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}
