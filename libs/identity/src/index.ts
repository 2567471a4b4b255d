export { IdentityModule } from './lib/identity.module';
export { IdentityService, toPublicCooperative, type PublicCooperative } from './lib/identity.service';
export { Auth, AuthGuard, CurrentUser } from './lib/auth/auth.guard';
export { cooperativeScope, requireCooperative, canSee } from './lib/auth/tenant-scope';
export { Cooperative } from './lib/entities/cooperative.entity';
export { User } from './lib/entities/user.entity';
import { Cooperative } from './lib/entities/cooperative.entity';
import { User } from './lib/entities/user.entity';
import { IdentityInit1763900000000 } from './lib/migrations/1763900000000-identity-init';

export const IDENTITY_ENTITIES = [Cooperative, User];
export const IDENTITY_MIGRATIONS = [IdentityInit1763900000000];
