import { Suspense } from 'react';
import { OutboundPage } from '@/components/outbound/outbound-page';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('outbound');

export default function Page() {
  return (
    <Suspense>
      <OutboundPage />
    </Suspense>
  );
}
