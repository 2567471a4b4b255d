import { Category, Product, ProductCertificate, ProductVariant } from './lib/entities/catalog.entities';
import { CatalogInit1764000000000 } from './lib/migrations/1764000000000-catalog-init';
import { CatalogPriceRange1764000000001 } from './lib/migrations/1764000000001-catalog-price-range';

export { CatalogModule } from './lib/catalog.module';
export { CatalogService, normaliseGtin, searchWords } from './lib/catalog.service';
export * from './lib/catalog.types';
export { Category, Product, ProductCertificate, ProductVariant, PRODUCT_STATUSES, CERTIFICATE_KINDS } from './lib/entities/catalog.entities';
export type { ProductStatus, CertificateKind } from './lib/entities/catalog.entities';

export const CATALOG_ENTITIES: Array<new () => unknown> = [Category, Product, ProductVariant, ProductCertificate];
export const CATALOG_MIGRATIONS: Array<new () => unknown> = [CatalogInit1764000000000, CatalogPriceRange1764000000001];
