import { JobsPage } from '@/components/jobs/jobs-page';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('jobs');

export default function Page() {
  return <JobsPage />;
}
