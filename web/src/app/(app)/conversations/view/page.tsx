import { Suspense } from 'react';
import { ConversationThreadPage } from '@/components/conversations/conversation-thread';

export const metadata = { title: 'Conversation' };

export default function Page() {
  return (
    <Suspense>
      <ConversationThreadPage />
    </Suspense>
  );
}
