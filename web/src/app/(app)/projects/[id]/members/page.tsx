import { MembersPage } from '@/components/members/members-page';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('members');

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <MembersPage projectId={id} />;
}
