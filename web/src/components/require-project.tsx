'use client';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { useActiveProject } from '@/lib/active-project';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/states';

/** Scoped pages render only with an active project; the API would answer 409 otherwise. */
export function RequireProject({ children }: { children: (projectId: string) => ReactNode }) {
  const { projectId } = useActiveProject();
  if (!projectId) {
    return (
      <EmptyState
        title="No active project"
        action={
          <Button asChild>
            <Link href="/projects">Choose or create a project</Link>
          </Button>
        }
      >
        Everything in Cairn belongs to a project. Pick one with the switcher at the top, or create
        your first.
      </EmptyState>
    );
  }
  return <>{children(projectId)}</>;
}
