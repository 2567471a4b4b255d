import { AuthUser, forbidden } from '@htx/shared';

/**
 * Which cooperative a manager endpoint may act on. Managers and members are pinned to their own
 * cooperative; asking for another one is refused. Platform admins may act on any cooperative, or on
 * all of them when they name none (null).
 */
export function cooperativeScope(user: AuthUser, requestedCooperativeId?: string | null): string | null {
  if (user.role === 'platform_admin') return requestedCooperativeId ?? null;
  if (!user.cooperativeId) throw forbidden('Tài khoản không thuộc hợp tác xã nào / Your account belongs to no cooperative');
  if (requestedCooperativeId && requestedCooperativeId !== user.cooperativeId) {
    throw forbidden('Bạn chỉ xem được dữ liệu của hợp tác xã mình / You can only access your own cooperative’s data');
  }
  return user.cooperativeId;
}

/** Like cooperativeScope, but an admin must name the cooperative (for writes that belong to exactly one). */
export function requireCooperative(user: AuthUser, requestedCooperativeId?: string | null): string {
  const scope = cooperativeScope(user, requestedCooperativeId);
  if (!scope) throw forbidden('Hãy chọn hợp tác xã / Name the cooperative (cooperativeId) this change belongs to');
  return scope;
}

/** True when a record of the given cooperative is visible to the user. */
export function canSee(user: AuthUser, recordCooperativeId: string): boolean {
  return user.role === 'platform_admin' || user.cooperativeId === recordCooperativeId;
}
