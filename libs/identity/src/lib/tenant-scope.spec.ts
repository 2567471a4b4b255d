import type { AuthUser } from '@htx/shared';
import { canSee, cooperativeScope, requireCooperative } from './auth/tenant-scope';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const manager: AuthUser = { userId: 'u1', email: 'm@a', role: 'coop_manager', cooperativeId: A };
const admin: AuthUser = { userId: 'u0', email: 'admin@x', role: 'platform_admin', cooperativeId: null };

describe('tenant scope', () => {
  it('pins a manager to their own cooperative', () => {
    expect(cooperativeScope(manager)).toBe(A);
    expect(cooperativeScope(manager, A)).toBe(A);
  });
  it('refuses a manager who asks for another cooperative', () => {
    expect(() => cooperativeScope(manager, B)).toThrow(/own cooperative/);
    expect(canSee(manager, B)).toBe(false);
  });
  it('lets an admin see all, or one named cooperative', () => {
    expect(cooperativeScope(admin)).toBeNull();
    expect(cooperativeScope(admin, B)).toBe(B);
    expect(canSee(admin, B)).toBe(true);
  });
  it('makes an admin name the cooperative for writes', () => {
    expect(() => requireCooperative(admin)).toThrow(/Name the cooperative/);
    expect(requireCooperative(admin, B)).toBe(B);
  });
});
