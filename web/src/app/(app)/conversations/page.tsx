import { Suspense } from 'react';
import { ConversationsPage } from '@/components/conversations/conversations-page';

export const metadata = { title: 'Conversations' };

export default function Page() {
  return (
    <Suspense>
      <ConversationsPage />
    </Suspense>
  );
}
