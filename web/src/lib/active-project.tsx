'use client';
import { createContext, useContext, type ReactNode } from 'react';
import type { Project } from './api-types';

interface ActiveProject {
  projectId: string | null;
  project: Project | null;
}

const ActiveProjectContext = createContext<ActiveProject>({ projectId: null, project: null });

export function ActiveProjectProvider({
  value,
  children,
}: {
  value: ActiveProject;
  children: ReactNode;
}) {
  return <ActiveProjectContext.Provider value={value}>{children}</ActiveProjectContext.Provider>;
}

/**
 * The active project. Every scoped query puts its id in the query key, so switching projects
 * shows the new project's data at once instead of the old project's cached lists.
 */
export function useActiveProject(): ActiveProject {
  return useContext(ActiveProjectContext);
}
