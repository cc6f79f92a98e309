'use client';
import { useTranslations } from 'next-intl';
import type { PreflightCheck } from '@/lib/api-types';
import { useCodeLabel } from '@/lib/labels';

function numberIn(details: Record<string, unknown>, key: string): number | null {
  const value = details[key];
  return typeof value === 'number' ? value : null;
}

/**
 * Why a preflight check came out as it did, in the user's language. The server's `reason` is an
 * English sentence for logs and scripts; the words here are rebuilt from what is stable — the
 * check, its outcome and its details — and the English sentence is the fallback for a check this
 * page does not know yet.
 */
export function usePreflightReason() {
  const t = useTranslations('preflight.reasons');
  const statusLabel = useCodeLabel('status');
  return (check: PreflightCheck): string => {
    const { details } = check;
    switch (check.check) {
      case 'approval':
        if (check.outcome === 'pass') return t('approved');
        return details.status === 'draft' || details.status === undefined
          ? t('notApproved')
          : t('inStatus', { status: statusLabel(String(details.status)) });
      case 'recipient':
        return details.contact_global_id ? t('recipientContact') : t('recipientNoContact');
      case 'opt_out':
        return check.outcome === 'block' ? t('optedOut') : t('notOptedOut');
      case 'stop_on_reply':
        return check.outcome === 'block' ? t('replied') : t('noReplyHold');
      case 'frequency_cap': {
        const used = numberIn(details, 'used');
        const max = numberIn(details, 'max_per_window');
        const hours = numberIn(details, 'window_hours');
        return used !== null && max !== null && hours !== null
          ? t('capUsage', { used, max, hours })
          : t('noCap');
      }
      default:
        return check.reason;
    }
  };
}
