import { SourcesPage } from '@/components/sources/sources-page';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('sources');

export default function Page() {
  return <SourcesPage />;
}
