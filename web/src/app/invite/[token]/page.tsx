import { AcceptInviteForm } from '@/components/invite/accept-invite-form';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('invite');

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return (
    <main className="flex min-h-dvh items-center justify-center bg-muted/40 p-4">
      <AcceptInviteForm token={token} />
    </main>
  );
}
