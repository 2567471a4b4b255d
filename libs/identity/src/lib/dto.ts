import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { PageQuery, ROLES, type Role, trimString, trimLowerString } from '@htx/shared';


export class LoginDto {
  @ApiProperty({ example: 'thienan@htxso.test' })
  @Transform(trimLowerString)
  @IsEmail({}, { message: 'email must be an e-mail address such as ten@example.vn' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'demo1234' })
  @IsString({ message: 'password must be text' })
  @Length(1, 200, { message: 'password must be 1 to 200 characters' })
  password!: string;
}

export class CooperativeListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Search in the name (diacritics optional)' })
  @IsOptional()
  @Transform(trimString)
  @IsString()
  @MaxLength(100, { message: 'q must be at most 100 characters' })
  q?: string;
}

export class ManageCooperativeListQuery extends PageQuery {}

export class UpdateCooperativeDto {
  @ApiPropertyOptional() @IsOptional() @Transform(trimString) @IsString() @Length(2, 200, { message: 'name must be 2 to 200 characters' })
  name?: string;

  @ApiPropertyOptional() @IsOptional() @Transform(trimString) @IsString() @MaxLength(200)
  nameEn?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000, { message: 'descriptionVi must be at most 5000 characters' })
  descriptionVi?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000, { message: 'descriptionEn must be at most 5000 characters' })
  descriptionEn?: string;

  @ApiPropertyOptional() @IsOptional() @Transform(trimString) @IsString() @MaxLength(300)
  addressLine?: string;

  @ApiPropertyOptional({ example: '0912345678' })
  @IsOptional()
  @Transform(trimString)
  @Matches(/^(\+84|0)[0-9]{9,10}$/, { message: 'contactPhone must be a Vietnamese phone number such as 0912345678 or +84912345678' })
  contactPhone?: string;

  @ApiPropertyOptional() @IsOptional() @Transform(trimLowerString) @IsEmail({}, { message: 'contactEmail must be an e-mail address' })
  contactEmail?: string;

  @ApiPropertyOptional({ description: 'NAPAS bank BIN, 6 digits', example: '970415' })
  @IsOptional()
  @Matches(/^[0-9]{6}$/, { message: 'bankBin must be the 6-digit NAPAS bank BIN, e.g. 970415' })
  bankBin?: string;

  @ApiPropertyOptional() @IsOptional() @Matches(/^[0-9A-Za-z]{4,19}$/, { message: 'bankAccountNumber must be 4 to 19 letters or digits' })
  bankAccountNumber?: string;

  @ApiPropertyOptional() @IsOptional() @Transform(trimString) @IsString() @MaxLength(100)
  bankAccountName?: string;
}

export class CreateUserDto {
  @ApiProperty() @Transform(trimLowerString) @IsEmail({}, { message: 'email must be an e-mail address such as ten@example.vn' }) @MaxLength(254)
  email!: string;

  @ApiProperty() @Transform(trimString) @IsString() @Length(2, 120, { message: 'fullName must be 2 to 120 characters' })
  fullName!: string;

  @ApiProperty({ minLength: 8 }) @IsString() @Length(8, 200, { message: 'password must be 8 to 200 characters' })
  password!: string;

  @ApiProperty({ enum: ROLES }) @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role!: Role;

  @ApiPropertyOptional({ description: 'Required when a platform admin creates a cooperative user' })
  @IsOptional()
  @IsUUID('4', { message: 'cooperativeId must be a UUID' })
  cooperativeId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trimString)
  @Matches(/^(\+84|0)[0-9]{9,10}$/, { message: 'phone must be a Vietnamese phone number such as 0912345678' })
  phone?: string;
}

export class UserListQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID('4', { message: 'cooperativeId must be a UUID' })
  cooperativeId?: string;
}
