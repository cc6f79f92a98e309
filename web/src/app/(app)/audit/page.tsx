import { AuditPage } from '@/components/audit/audit-page';

export const metadata = { title: 'Audit' };

export default function Page() {
  return <AuditPage />;
}
