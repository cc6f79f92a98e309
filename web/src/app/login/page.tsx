import { Suspense } from 'react';
import { LoginForm } from '@/components/login-form';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('login');

export default function LoginPage() {
  return (
    <main className="flex min-h-dvh items-center justify-center bg-muted/40 p-4">
      <Suspense>
        <LoginForm />
      </Suspense>
    </main>
  );
}
