import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@htx/shared';
import { AuthGuard } from './auth/auth.guard';
import { Cooperative } from './entities/cooperative.entity';
import { User } from './entities/user.entity';
import { AuthController, ManageCooperativesController, ManageUsersController, PublicCooperativesController } from './identity.controllers';
import { IdentityService } from './identity.service';

/** Cooperatives (tenants), accounts, sign-in and the guard every /api/manage endpoint uses. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([Cooperative, User]),
    JwtModule.registerAsync({
      global: true,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ secret: config.JWT_SECRET, signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  controllers: [AuthController, PublicCooperativesController, ManageCooperativesController, ManageUsersController],
  providers: [IdentityService, AuthGuard],
  exports: [IdentityService, AuthGuard, JwtModule],
})
export class IdentityModule {}
