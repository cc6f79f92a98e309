import { SignalSettingsPage } from '@/components/signals/signal-settings-page';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('signalSettings');

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <SignalSettingsPage projectId={id} />;
}
