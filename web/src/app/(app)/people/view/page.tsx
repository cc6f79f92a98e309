import { Suspense } from 'react';
import { PersonPage } from '@/components/people/person-page';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('person');

export default function Page() {
  return (
    <Suspense>
      <PersonPage />
    </Suspense>
  );
}
