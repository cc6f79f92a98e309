import { Suspense } from 'react';
import { OutboundPage } from '@/components/outbound/outbound-page';

export const metadata = { title: 'Outbound' };

export default function Page() {
  return (
    <Suspense>
      <OutboundPage />
    </Suspense>
  );
}
