import { SourcesPage } from '@/components/sources/sources-page';

export const metadata = { title: 'Sources' };

export default function Page() {
  return <SourcesPage />;
}
