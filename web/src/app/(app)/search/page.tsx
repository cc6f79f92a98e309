import { Suspense } from 'react';
import { SearchPage } from '@/components/search/search-page';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('search');

export default function Page() {
  return (
    <Suspense>
      <SearchPage />
    </Suspense>
  );
}
