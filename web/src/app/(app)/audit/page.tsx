import { AuditPage } from '@/components/audit/audit-page';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('audit');

export default function Page() {
  return <AuditPage />;
}
