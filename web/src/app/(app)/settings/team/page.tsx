import { TeamSettingsPage } from '@/components/team/team-page';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('team');

export default function Page() {
  return <TeamSettingsPage />;
}
