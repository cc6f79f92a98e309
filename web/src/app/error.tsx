'use client';
import { Button } from '@/components/ui/button';

/** Last line of defence: an unexpected rendering error shows words and a way out, not a trace. */
export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <main className="mx-auto flex max-w-md flex-col gap-3 p-8" role="alert">
      <h1 className="text-xl font-semibold">This page ran into a problem</h1>
      <p className="text-sm text-muted-foreground">
        Nothing was lost. Try again, or go back to search. If it keeps happening, tell support what
        you were doing and when.
      </p>
      <div className="flex gap-2">
        <Button onClick={reset}>Try again</Button>
        <Button variant="outline" asChild>
          <a href="/search">Go to search</a>
        </Button>
      </div>
    </main>
  );
}
