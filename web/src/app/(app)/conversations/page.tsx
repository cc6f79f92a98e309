import { ConversationsPage } from '@/components/conversations/conversations-page';

export const metadata = { title: 'Conversations' };

export default function Page() {
  return <ConversationsPage />;
}
