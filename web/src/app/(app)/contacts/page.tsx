import { ContactsPage } from '@/components/conversations/contacts-page';

export const metadata = { title: 'Contacts' };

export default function Page() {
  return <ContactsPage />;
}
