'use client';
import { useNow } from 'next-intl';
import { useFormat } from '@/lib/format';

// A minute: "3 hours ago" need not tick by the second, and every shown time re-renders at once.
const NOW_UPDATE_MS = 60_000;

/** "3 hours ago" / "3 часа назад", with the exact time in the tooltip and in `dateTime`. */
export function RelativeTime({ value }: { value: string | null | undefined }) {
  const format = useFormat();
  const now = useNow({ updateInterval: NOW_UPDATE_MS });
  if (!value) return <span className="text-muted-foreground">—</span>;
  return (
    <time dateTime={value} title={format.dateTime(value)}>
      {format.relativeTime(value, now)}
    </time>
  );
}
