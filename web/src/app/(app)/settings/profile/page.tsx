import { ProfileSettingsPage } from '@/components/settings/profile-page';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('profile');

export default function Page() {
  return <ProfileSettingsPage />;
}
