import { Suspense } from 'react';
import { ConversationsPage } from '@/components/conversations/conversations-page';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('conversations');

export default function Page() {
  return (
    <Suspense>
      <ConversationsPage />
    </Suspense>
  );
}
