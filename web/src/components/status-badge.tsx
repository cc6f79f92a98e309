'use client';
import { useCodeLabel } from '@/lib/labels';
import { Badge, type BadgeVariant } from '@/components/ui/badge';

const VARIANTS: Record<string, BadgeVariant> = {
  ok: 'success',
  sent: 'success',
  ready: 'success',
  completed: 'success',
  approved: 'info',
  running: 'info',
  processing: 'info',
  queued: 'secondary',
  pending: 'secondary',
  draft: 'secondary',
  created: 'secondary',
  failed: 'destructive',
  error: 'destructive',
  blocked_opt_out: 'destructive',
  blocked: 'destructive',
  cancelled: 'outline',
  skipped: 'outline',
};

export function StatusBadge({ status }: { status: string | null | undefined }) {
  const label = useCodeLabel('status');
  if (!status) return <span className="text-muted-foreground">—</span>;
  return <Badge variant={VARIANTS[status] ?? 'outline'}>{label(status)}</Badge>;
}
