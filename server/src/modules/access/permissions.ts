import type { ProjectRole, WorkspaceRole } from '../../db/schema.js';

/**
 * Every permission a route can declare (`config: { permission }`), with where it applies:
 * - public: anyone, signed in or not (the route may check something of its own, e.g. a signature)
 * - self: any signed-in user, about themselves (their sessions, tokens, password, project list)
 * - workspace: the whole workspace; owners only
 * - project: inside one project, by the caller's role there (owners act as managers everywhere)
 *
 * This table, ROLE_PERMISSIONS and TOKEN_PERMISSIONS are the whole policy: the guard in
 * http/access.ts checks them and the route-permission matrix test is generated from them.
 */
export const PERMISSIONS = {
  public: 'public',
  'self:read': 'self',
  'self:manage': 'self',
  'projects:create': 'workspace',
  'users:manage': 'workspace',
  'workspace:audit': 'workspace',
  'project:read': 'project',
  search: 'project',
  'audit:read': 'project',
  'outbound:draft': 'project',
  'jobs:run': 'project',
  'signals:manage': 'project',
  'outbound:approve': 'project',
  'outbound:send': 'project',
  'policies:manage': 'project',
  'sources:manage': 'project',
  'people:manage': 'project',
  'schedules:manage': 'project',
  'members:manage': 'project',
  'project:manage': 'project',
} as const;

export type Permission = keyof typeof PERMISSIONS;
export type PermissionLevel = (typeof PERMISSIONS)[Permission];
export type TokenPermission = 'read' | 'draft';
export const PROJECT_ROLES: readonly ProjectRole[] = ['manager', 'contributor', 'viewer'];

const VIEWER = ['project:read', 'search', 'audit:read'] as const satisfies Permission[];
// Resolving and dismissing signals is acting on the project's work, which a viewer only reads.
const CONTRIBUTOR = [
  ...VIEWER,
  'outbound:draft',
  'jobs:run',
  'signals:manage',
] as const satisfies Permission[];
const MANAGER = [
  ...CONTRIBUTOR,
  'outbound:approve',
  'outbound:send',
  'policies:manage',
  'sources:manage',
  'people:manage',
  'schedules:manage',
  'members:manage',
  'project:manage',
] as const satisfies Permission[];

/** What each project role may do inside its project. */
export const ROLE_PERMISSIONS: Record<ProjectRole, ReadonlySet<Permission>> = {
  viewer: new Set(VIEWER),
  contributor: new Set(CONTRIBUTOR),
  manager: new Set(MANAGER),
};

/** What a workspace role adds outside any project. */
export const WORKSPACE_PERMISSIONS: Record<WorkspaceRole, ReadonlySet<Permission>> = {
  owner: new Set(['projects:create', 'users:manage', 'workspace:audit']),
  member: new Set(),
};

/**
 * The most a personal token may do; it acts with the intersection of this and its user's role.
 * `read` reads and searches its projects; `draft` also drafts outbound and runs syncs. Neither
 * approves, sends or manages anything, nor manages sessions or tokens (a leaked token cannot mint
 * another), nor reaches workspace permissions.
 */
export const TOKEN_PERMISSIONS: Record<TokenPermission, ReadonlySet<Permission>> = {
  read: new Set(['public', 'self:read', ...VIEWER]),
  draft: new Set(['public', 'self:read', ...VIEWER, 'outbound:draft', 'jobs:run']),
};

export const isPermission = (value: unknown): value is Permission =>
  typeof value === 'string' && Object.hasOwn(PERMISSIONS, value);

/** Who is asking, as far as permissions go. */
export interface Grantee {
  workspaceRole: WorkspaceRole;
  /** Set when the caller used a personal token. */
  tokenPermission?: TokenPermission;
}

const tokenAllows = (grantee: Grantee, permission: Permission) =>
  grantee.tokenPermission === undefined ||
  TOKEN_PERMISSIONS[grantee.tokenPermission].has(permission);

/** Whether a permission that is not project-level is granted. */
export function grantsOutsideProject(grantee: Grantee, permission: Permission): boolean {
  if (!tokenAllows(grantee, permission)) return false;
  const level = PERMISSIONS[permission];
  if (level === 'public' || level === 'self') return true;
  if (level === 'workspace') return WORKSPACE_PERMISSIONS[grantee.workspaceRole].has(permission);
  return false;
}

/** Whether `permission` is granted in a project where the caller's effective role is `role`. */
export function grantsInProject(
  grantee: Grantee,
  role: ProjectRole,
  permission: Permission,
): boolean {
  if (PERMISSIONS[permission] !== 'project') return grantsOutsideProject(grantee, permission);
  return tokenAllows(grantee, permission) && ROLE_PERMISSIONS[role].has(permission);
}

/** The project permissions the caller holds with that role: what the UI may offer. */
export const projectPermissions = (grantee: Grantee, role: ProjectRole): Permission[] => [
  ...PROJECT_LISTS[grantee.tokenPermission ?? 'none'][role],
];

/** The workspace and self permissions the caller holds. */
export const workspacePermissions = (grantee: Grantee): Permission[] => [
  ...WORKSPACE_LISTS[grantee.tokenPermission ?? 'none'][grantee.workspaceRole],
];

// Both lists depend only on the tables above, and `GET /auth/me` reports them on every call:
// derived once, here, rather than filtered per request.
const TOKEN_KINDS = ['none', 'read', 'draft'] as const;
const granteeOf = (kind: (typeof TOKEN_KINDS)[number], workspaceRole: WorkspaceRole): Grantee => ({
  workspaceRole,
  ...(kind === 'none' ? {} : { tokenPermission: kind }),
});
const PROJECT_LISTS = Object.fromEntries(
  TOKEN_KINDS.map((kind) => [
    kind,
    Object.fromEntries(
      PROJECT_ROLES.map((role) => [
        role,
        Object.freeze(
          [...ROLE_PERMISSIONS[role]].filter((p) => tokenAllows(granteeOf(kind, 'member'), p)),
        ),
      ]),
    ),
  ]),
) as Record<(typeof TOKEN_KINDS)[number], Record<ProjectRole, readonly Permission[]>>;
const WORKSPACE_LISTS = Object.fromEntries(
  TOKEN_KINDS.map((kind) => [
    kind,
    Object.fromEntries(
      (['owner', 'member'] as const).map((workspaceRole) => [
        workspaceRole,
        Object.freeze(
          (Object.keys(PERMISSIONS) as Permission[]).filter(
            (p) =>
              PERMISSIONS[p] !== 'project' &&
              p !== 'public' &&
              grantsOutsideProject(granteeOf(kind, workspaceRole), p),
          ),
        ),
      ]),
    ),
  ]),
) as Record<(typeof TOKEN_KINDS)[number], Record<WorkspaceRole, readonly Permission[]>>;
