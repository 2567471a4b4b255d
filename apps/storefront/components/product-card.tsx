import Link from 'next/link';
import type { ProductListItem } from '../lib/api';
import { formatVnd } from '../lib/format';
import type { Lang } from '../lib/i18n';
import { t } from '../lib/i18n';
import { ProductImage } from './product-image';

export function ProductCard({ p, lang }: { p: ProductListItem; lang: Lang }) {
  const name = lang === 'en' && p.nameEn ? p.nameEn : p.nameVi;
  return (
    <Link href={`/san-pham/${p.slug}`} className="card">
      <ProductImage src={p.imageUrl} alt={name} />
      <span className="body">
        <span className="name">{name}</span>
        <span className="muted">{p.cooperative.name}</span>
        <span className="price">
          {p.priceFromVnd !== p.priceToVnd ? `${t(lang, 'from')} ` : ''}
          {formatVnd(p.priceFromVnd)}
        </span>
        <span>
          {p.badges.map((b) => (
            <Badge key={`${b.kind}${b.stars ?? ''}`} kind={b.kind} stars={b.stars} />
          ))}
        </span>
      </span>
    </Link>
  );
}

const BADGE_NAMES: Record<string, string> = { vietgap: 'VietGAP', organic: 'Hữu cơ', ocop: 'OCOP', other: 'Chứng nhận' };

export function Badge({ kind, stars, valid = true }: { kind: string; stars: number | null; valid?: boolean }) {
  return (
    <span className={`badge ${kind === 'ocop' ? 'ocop' : ''} ${valid ? '' : 'off'}`}>
      {BADGE_NAMES[kind] ?? kind}
      {kind === 'ocop' && stars ? ` ${'★'.repeat(stars)}` : ''}
    </span>
  );
}
