import { ProjectsPage } from '@/components/projects/projects-page';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('projects');

export default function Page() {
  return <ProjectsPage />;
}
