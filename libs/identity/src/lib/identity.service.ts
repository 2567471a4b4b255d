import { HttpException, HttpStatus, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import type Redis from 'ioredis';
import { Repository } from 'typeorm';
import { AppConfig, AuthUser, badRequest, forbidden, notFound, Page, REDIS_CLIENT, toPage } from '@htx/shared';
import { cooperativeScope } from './auth/tenant-scope';
import type { TokenClaims } from './auth/auth.guard';
import { Cooperative } from './entities/cooperative.entity';
import { User } from './entities/user.entity';
import type { CooperativeListQuery, CreateUserDto, UpdateCooperativeDto, UserListQuery } from './dto';

export interface PublicCooperative {
  id: string;
  slug: string;
  name: string;
  nameEn: string | null;
  province: { code: string; name: string };
  commune: { code: string; name: string };
  addressLine: string;
  descriptionVi: string;
  descriptionEn: string;
  contactPhone: string | null;
  contactEmail: string | null;
}

export function toPublicCooperative(c: Cooperative): PublicCooperative {
  return {
    id: c.id,
    slug: c.slug,
    name: c.name,
    nameEn: c.nameEn,
    province: { code: c.provinceCode, name: c.provinceName },
    commune: { code: c.communeCode, name: c.communeName },
    addressLine: c.addressLine,
    descriptionVi: c.descriptionVi,
    descriptionEn: c.descriptionEn,
    contactPhone: c.contactPhone,
    contactEmail: c.contactEmail,
  };
}

export function toUserView(u: User) {
  return { id: u.id, email: u.email, fullName: u.fullName, phone: u.phone, role: u.role, cooperativeId: u.cooperativeId, active: u.active, lastLoginAt: u.lastLoginAt };
}

/** Sign-in attempts a minute per client address; set from AppConfig when the service starts (one value per process). */
export const loginRateLimit = { perMinute: 20 };

/** A precomputed hash, verified against when the e-mail is unknown so timing does not reveal which accounts exist. */
let dummyHash: Promise<string> | undefined;

@Injectable()
export class IdentityService {
  constructor(
    @InjectRepository(Cooperative) private readonly cooperatives: Repository<Cooperative>,
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {
    loginRateLimit.perMinute = config.LOGIN_RATE_LIMIT_PER_MINUTE;
  }

  static hashPassword(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id });
  }

  private failureKey(email: string): string {
    return `${this.config.REDIS_PREFIX}:login-failures:${email}`;
  }

  async login(email: string, password: string) {
    const key = this.failureKey(email);
    const failures = Number((await this.safeRedis(() => this.redis.get(key))) ?? 0);
    if (failures >= this.config.LOGIN_MAX_FAILURES) {
      const ttl = Number((await this.safeRedis(() => this.redis.ttl(key))) ?? this.config.LOGIN_LOCK_WINDOW_SECONDS);
      throw new HttpException(
        {
          message: `Đăng nhập sai quá nhiều lần, hãy thử lại sau ${Math.ceil(Math.max(ttl, 1) / 60)} phút / Too many failed sign-ins for this account; try again in ${Math.max(ttl, 1)} seconds`,
          details: { retryAfterSeconds: Math.max(ttl, 1) },
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const user = await this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .leftJoinAndSelect('u.cooperative', 'c')
      .where('u.email = :email', { email })
      .getOne();
    dummyHash ??= IdentityService.hashPassword('not-a-real-password');
    const ok = user ? await argon2.verify(user.passwordHash, password) : (await argon2.verify(await dummyHash, password), false);
    if (!user || !ok || !user.active) {
      await this.safeRedis(async () => {
        const n = await this.redis.incr(key);
        if (n === 1) await this.redis.expire(key, this.config.LOGIN_LOCK_WINDOW_SECONDS);
        return n;
      });
      throw new UnauthorizedException('Sai e-mail hoặc mật khẩu / Wrong e-mail or password');
    }
    await this.safeRedis(() => this.redis.del(key));
    await this.users.update(user.id, { lastLoginAt: new Date() });
    const claims: TokenClaims = { sub: user.id, email: user.email, role: user.role, coop: user.cooperativeId };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn: this.config.JWT_TTL_SECONDS });
    return {
      accessToken,
      tokenType: 'Bearer' as const,
      expiresIn: this.config.JWT_TTL_SECONDS,
      user: {
        ...toUserView(user),
        cooperative: user.cooperative ? { id: user.cooperative.id, slug: user.cooperative.slug, name: user.cooperative.name } : null,
      },
    };
  }

  /** Redis holds only the failed-login counters; when it is down, sign-in still works (without lock-out). */
  private async safeRedis<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await Promise.race([fn(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('redis timeout')), 500).unref())]);
    } catch {
      return undefined;
    }
  }

  async me(user: AuthUser) {
    const u = await this.users.findOne({ where: { id: user.userId }, relations: { cooperative: true } });
    if (!u) throw notFound('Tài khoản không còn tồn tại / This account no longer exists');
    return { ...toUserView(u), cooperative: u.cooperative ? toPublicCooperative(u.cooperative) : null };
  }

  async listPublicCooperatives(q: CooperativeListQuery): Promise<Page<PublicCooperative>> {
    const qb = this.cooperatives.createQueryBuilder('c').orderBy('c.name', 'ASC').skip(q.offset).take(q.pageSize);
    if (q.q) qb.where(`unaccent_immutable(c.name) ILIKE '%' || unaccent_immutable(:q) || '%'`, { q: q.q.replace(/[%_\\]/g, '\\$&') });
    const [items, total] = await qb.getManyAndCount();
    return toPage(items.map(toPublicCooperative), total, q);
  }

  async getPublicCooperative(slug: string): Promise<PublicCooperative> {
    const c = await this.cooperatives.findOne({ where: { slug } });
    if (!c) throw notFound(`Không tìm thấy hợp tác xã "${slug}" / No cooperative with slug "${slug}"`);
    return toPublicCooperative(c);
  }

  async findCooperativeById(id: string): Promise<Cooperative | null> {
    return this.cooperatives.findOne({ where: { id } });
  }

  async findCooperativeBySlug(slug: string): Promise<Cooperative | null> {
    return this.cooperatives.findOne({ where: { slug } });
  }

  async listManagedCooperatives(user: AuthUser, q: { page: number; pageSize: number; offset: number }) {
    const scope = cooperativeScope(user);
    const [items, total] = await this.cooperatives.findAndCount({
      where: scope ? { id: scope } : {},
      order: { name: 'ASC' },
      skip: q.offset,
      take: q.pageSize,
    });
    return toPage(items, total, q);
  }

  /** A cooperative the user may manage; another tenant's cooperative answers 404 as if it did not exist. */
  async getManagedCooperative(user: AuthUser, id: string): Promise<Cooperative> {
    const c = await this.cooperatives.findOne({ where: { id } });
    if (!c || (user.role !== 'platform_admin' && user.cooperativeId !== c.id)) {
      throw notFound('Không tìm thấy hợp tác xã / No such cooperative in your scope');
    }
    return c;
  }

  async updateCooperative(user: AuthUser, id: string, dto: UpdateCooperativeDto): Promise<Cooperative> {
    if (user.role === 'coop_member') throw forbidden('Thành viên không sửa được thông tin hợp tác xã / Members cannot change the cooperative profile');
    const c = await this.getManagedCooperative(user, id);
    Object.assign(c, dto);
    return this.cooperatives.save(c);
  }

  async listUsers(user: AuthUser, q: UserListQuery) {
    const scope = cooperativeScope(user, q.cooperativeId);
    const [items, total] = await this.users.findAndCount({
      where: scope ? { cooperativeId: scope } : {},
      order: { createdAt: 'ASC' },
      skip: q.offset,
      take: q.pageSize,
    });
    return toPage(items.map(toUserView), total, q);
  }

  async createUser(actor: AuthUser, dto: CreateUserDto) {
    if (actor.role === 'coop_manager') {
      if (dto.role !== 'coop_member') throw forbidden('Quản lý chỉ tạo được tài khoản thành viên / Managers can only create member accounts');
    } else if (actor.role !== 'platform_admin') {
      throw forbidden('Bạn không có quyền tạo tài khoản / You may not create accounts');
    }
    const cooperativeId = dto.role === 'platform_admin' ? null : cooperativeScope(actor, dto.cooperativeId);
    if (dto.role !== 'platform_admin' && !cooperativeId) throw badRequest('cooperativeId is required for cooperative accounts');
    if (cooperativeId && !(await this.cooperatives.exist({ where: { id: cooperativeId } }))) {
      throw badRequest('cooperativeId does not name an existing cooperative');
    }
    const exists = await this.users.exist({ where: { email: dto.email } });
    if (exists) throw new HttpException({ message: `E-mail ${dto.email} đã được dùng / is already in use` }, HttpStatus.CONFLICT);
    const saved = await this.users.save(
      this.users.create({
        email: dto.email,
        fullName: dto.fullName,
        phone: dto.phone ?? null,
        role: dto.role,
        cooperativeId,
        passwordHash: await IdentityService.hashPassword(dto.password),
      }),
    );
    return toUserView(saved);
  }
}
