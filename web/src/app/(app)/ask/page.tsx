import { Suspense } from 'react';
import { AskPage } from '@/components/ask/ask-page';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('ask');

export default function Page() {
  return (
    <Suspense>
      <AskPage />
    </Suspense>
  );
}
