import { ContactsPage } from '@/components/conversations/contacts-page';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('contacts');

export default function Page() {
  return <ContactsPage />;
}
