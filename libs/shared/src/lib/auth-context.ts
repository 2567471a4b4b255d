export const ROLES = ['platform_admin', 'coop_manager', 'coop_member'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as proven by their bearer token. */
export interface AuthUser {
  userId: string;
  email: string;
  role: Role;
  /** null only for platform admins. */
  cooperativeId: string | null;
}
