import type { EntityManager } from 'typeorm';
import type { AppConfig } from '@htx/shared';
import { IdentityService } from '@htx/identity';

export interface SeededCooperatives {
  thienAn: string;
  namTy: string;
}

export const DEMO_COOPERATIVES = [
  {
    slug: 'thien-an',
    name: 'Hợp tác xã Thiên An',
    nameEn: 'Thien An Herbal Cooperative',
    // Xã Vi Hương (Bạch Thông, Bắc Kạn) merged into Xã Phủ Thông, Tỉnh Thái Nguyên on 1 July 2025.
    provinceCode: '19',
    provinceName: 'Tỉnh Thái Nguyên',
    communeCode: '01969',
    communeName: 'Xã Phủ Thông',
    addressLine: 'Thôn Nà Lẹng (xã Vi Hương cũ)',
    descriptionVi:
      'Hợp tác xã trồng và chế biến thảo dược của đồng bào Tày, Nùng, Dao ở Vi Hương, Bạch Thông, Bắc Kạn (nay là xã Phủ Thông, tỉnh Thái Nguyên): lá tắm người Dao, trà giảo cổ lam, tinh bột nghệ. Từ khi bán trực tuyến, lên sàn Postmart và truy xuất nguồn gốc, đơn hàng tăng từ 4-5 lên 20-25 đơn mỗi ngày.',
    descriptionEn:
      'A cooperative of Tày, Nùng and Dao households in Vi Hương, Bạch Thông, Bắc Kạn (now Phủ Thông commune, Thái Nguyên) growing and processing herbal products: Dao herbal bath leaves, jiaogulan tea, turmeric starch. Since selling online, on Postmart and with traceability, orders rose from 4-5 to 20-25 a day.',
    contactPhone: '0209 3850 123'.replace(/\s/g, ''),
    contactEmail: 'thienan@htxso.test',
    bankBin: '970405',
    bankAccountNumber: '8300205123456',
    bankAccountName: 'HTX THIEN AN',
  },
  {
    slug: 'nam-ty',
    name: 'Hợp tác xã Chè Shan tuyết Nậm Tỵ',
    nameEn: 'Nam Ty Shan Tuyet Tea Cooperative',
    // Xã Nậm Tỵ (Hoàng Su Phì, Hà Giang) merged into Xã Nậm Dịch, Tỉnh Tuyên Quang on 1 July 2025.
    provinceCode: '08',
    provinceName: 'Tỉnh Tuyên Quang',
    communeCode: '01075',
    communeName: 'Xã Nậm Dịch',
    addressLine: 'Thôn Nậm Tỵ (xã Nậm Tỵ cũ, huyện Hoàng Su Phì)',
    descriptionVi:
      'Hợp tác xã chè Shan tuyết cổ thụ của người Dao đỏ ở Nậm Tỵ, Hoàng Su Phì, Hà Giang (nay là xã Nậm Dịch, tỉnh Tuyên Quang), ở độ cao trên 1.000 mét.',
    descriptionEn:
      'A cooperative of Red Dao households picking ancient Shan tuyết tea trees above 1,000 metres in Nậm Tỵ, Hoàng Su Phì, Hà Giang (now Nậm Dịch commune, Tuyên Quang).',
    contactPhone: '0219 3831 456'.replace(/\s/g, ''),
    contactEmail: 'namty@htxso.test',
    bankBin: '970415',
    bankAccountNumber: '106870123456',
    bankAccountName: 'HTX CHE SHAN TUYET NAM TY',
  },
] as const;

/** Demo cooperatives and their accounts; upserts, so running it twice changes nothing. */
export async function seedIdentity(tx: EntityManager, config: AppConfig): Promise<SeededCooperatives> {
  const ids: Record<string, string> = {};
  for (const c of DEMO_COOPERATIVES) {
    const [row] = await tx.query(
      `INSERT INTO cooperatives (slug, name, name_en, province_code, province_name, commune_code, commune_name, address_line,
                                 description_vi, description_en, contact_phone, contact_email, bank_bin, bank_account_number, bank_account_name)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)
       ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, name_en = EXCLUDED.name_en, province_code = EXCLUDED.province_code,
         province_name = EXCLUDED.province_name, commune_code = EXCLUDED.commune_code, commune_name = EXCLUDED.commune_name,
         address_line = EXCLUDED.address_line, description_vi = EXCLUDED.description_vi, description_en = EXCLUDED.description_en,
         contact_phone = EXCLUDED.contact_phone, contact_email = EXCLUDED.contact_email, bank_bin = EXCLUDED.bank_bin,
         bank_account_number = EXCLUDED.bank_account_number, bank_account_name = EXCLUDED.bank_account_name, updated_at = now()
       RETURNING id`,
      [c.slug, c.name, c.nameEn, c.provinceCode, c.provinceName, c.communeCode, c.communeName, c.addressLine, c.descriptionVi, c.descriptionEn, c.contactPhone, c.contactEmail, c.bankBin, c.bankAccountNumber, c.bankAccountName],
    );
    ids[c.slug] = row.id;
  }
  const hash = await IdentityService.hashPassword(config.DEMO_PASSWORD);
  const users: Array<[string, string, string, string | null, string]> = [
    ['admin@htxso.test', 'Quản trị nền tảng', 'platform_admin', null, '0900000001'],
    ['thienan@htxso.test', 'Hoàng Thị Thiên', 'coop_manager', ids['thien-an'], '0912000001'],
    ['namty@htxso.test', 'Bàn Văn Tỵ', 'coop_manager', ids['nam-ty'], '0912000002'],
    ['member.thienan@htxso.test', 'Triệu Thị Mai', 'coop_member', ids['thien-an'], '0912000003'],
    ['member.namty@htxso.test', 'Lý Văn Sơn', 'coop_member', ids['nam-ty'], '0912000004'],
  ];
  for (const [email, fullName, role, cooperativeId, phone] of users) {
    await tx.query(
      `INSERT INTO users (email, full_name, role, cooperative_id, phone, password_hash) VALUES ($1,$2,$3,$4,$5,$6)
       ON CONFLICT (email) DO UPDATE SET full_name = EXCLUDED.full_name, role = EXCLUDED.role, cooperative_id = EXCLUDED.cooperative_id,
         phone = EXCLUDED.phone, password_hash = EXCLUDED.password_hash, active = true`,
      [email, fullName, role, cooperativeId, phone, hash],
    );
  }
  return { thienAn: ids['thien-an'], namTy: ids['nam-ty'] };
}
