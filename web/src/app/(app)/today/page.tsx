import { TodayPage } from '@/components/signals/today-page';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('today');

export default function Page() {
  return <TodayPage />;
}
