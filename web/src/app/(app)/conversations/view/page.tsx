import { Suspense } from 'react';
import { ConversationThreadPage } from '@/components/conversations/conversation-thread';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('conversation');

export default function Page() {
  return (
    <Suspense>
      <ConversationThreadPage />
    </Suspense>
  );
}
