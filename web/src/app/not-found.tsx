import Link from 'next/link';
import { Button } from '@/components/ui/button';

export default function NotFound() {
  return (
    <main className="mx-auto flex max-w-md flex-col gap-3 p-8">
      <h1 className="text-xl font-semibold">Page not found</h1>
      <p className="text-sm text-muted-foreground">There is no page at this address.</p>
      <div>
        <Button asChild>
          <Link href="/search">Go to search</Link>
        </Button>
      </div>
    </main>
  );
}
