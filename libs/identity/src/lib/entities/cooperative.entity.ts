import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A cooperative (hợp tác xã): the tenant. Everything a manager sees belongs to exactly one. */
@Entity({ name: 'cooperatives' })
export class Cooperative {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  slug!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'name_en', type: 'text', nullable: true })
  nameEn!: string | null;

  /** Two-level administrative address in force since 1 July 2025 (GSO codes). */
  @Column({ name: 'province_code', type: 'text' })
  provinceCode!: string;

  @Column({ name: 'province_name', type: 'text' })
  provinceName!: string;

  @Column({ name: 'commune_code', type: 'text' })
  communeCode!: string;

  @Column({ name: 'commune_name', type: 'text' })
  communeName!: string;

  @Column({ name: 'address_line', type: 'text', default: '' })
  addressLine!: string;

  @Column({ name: 'description_vi', type: 'text', default: '' })
  descriptionVi!: string;

  @Column({ name: 'description_en', type: 'text', default: '' })
  descriptionEn!: string;

  @Column({ name: 'contact_phone', type: 'text', nullable: true })
  contactPhone!: string | null;

  @Column({ name: 'contact_email', type: 'text', nullable: true })
  contactEmail!: string | null;

  /** NAPAS bank identification number (BIN) of the cooperative's bank, for VietQR transfers. */
  @Column({ name: 'bank_bin', type: 'text', nullable: true })
  bankBin!: string | null;

  @Column({ name: 'bank_account_number', type: 'text', nullable: true })
  bankAccountNumber!: string | null;

  @Column({ name: 'bank_account_name', type: 'text', nullable: true })
  bankAccountName!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
