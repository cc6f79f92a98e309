'use client';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import type { LooseEvidenceRef } from '@/lib/api-types';
import { useCodeLabel } from '@/lib/labels';
import { evidenceHref } from '@/lib/links';

/** Evidence references as links to where they lead; every text is rendered as text. */
export function EvidenceRefList({ refs }: { refs: LooseEvidenceRef[] | null | undefined }) {
  const t = useTranslations('evidence');
  const sourceLabel = useCodeLabel('evidence.sources');
  if (!refs || refs.length === 0) return <span className="text-muted-foreground">{t('none')}</span>;
  return (
    <ul className="flex flex-col gap-1.5">
      {refs.map((ref, i) => {
        const href = evidenceHref(ref);
        const label = `${sourceLabel(ref.source)} ${ref.ref}`;
        const external = href !== null && /^https?:/.test(href);
        return (
          <li key={`${ref.source}:${ref.ref}:${i}`} className="text-xs" data-testid="evidence-ref">
            {href ? (
              external ? (
                <a
                  href={href}
                  target="_blank"
                  rel="noopener noreferrer"
                  className="font-mono break-all text-primary underline-offset-4 hover:underline"
                >
                  {label}
                </a>
              ) : (
                <Link
                  href={href}
                  className="font-mono break-all text-primary underline-offset-4 hover:underline"
                >
                  {label}
                </Link>
              )
            ) : (
              <span className="font-mono break-all">{label}</span>
            )}
            {ref.snippet ? (
              <q className="mt-0.5 block break-words text-muted-foreground">{ref.snippet}</q>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
