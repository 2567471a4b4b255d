import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@htx/shared';
import { Auth, CurrentUser } from '@htx/identity';
import { CatalogService } from './catalog.service';
import { CreateCertificateDto, CreateProductDto, CreateVariantDto, ManageProductListQuery, ProductListQuery, UpdateProductDto, UpdateVariantDto } from './dto';

@ApiTags('catalog')
@Controller()
export class PublicCatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Get('products')
  @ApiOperation({ summary: 'Published products (paginated; filter by cooperative/category slug; search without diacritics; sort)' })
  list(@Query() q: ProductListQuery) {
    return this.catalog.listPublic(q);
  }

  @Get('products/:slug')
  @ApiOperation({ summary: 'One published product with variants, prices, availability, certificates and its cooperative' })
  get(@Param('slug') slug: string) {
    return this.catalog.getPublic(slug);
  }

  @Get('categories')
  @ApiOperation({ summary: 'Product categories' })
  categories() {
    return this.catalog.listCategories();
  }
}

@ApiTags('manage')
@Controller('manage')
@Auth('platform_admin', 'coop_manager')
export class ManageCatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Get('categories')
  @ApiOperation({ summary: 'Product categories (to pick categoryId)' })
  categories() {
    return this.catalog.listCategories();
  }

  @Get('products')
  @ApiOperation({ summary: 'Products of the caller’s cooperative, all statuses' })
  list(@CurrentUser() user: AuthUser, @Query() q: ManageProductListQuery) {
    return this.catalog.listManaged(user, q);
  }

  @Post('products')
  @ApiOperation({ summary: 'Create a product (optionally with variants and certificates) in the caller’s cooperative' })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateProductDto) {
    return this.catalog.createProduct(user, dto);
  }

  @Get('products/:id')
  get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.catalog.getManaged(user, id);
  }

  @Patch('products/:id')
  update(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: UpdateProductDto) {
    return this.catalog.updateProduct(user, id, dto);
  }

  @Delete('products/:id')
  @ApiOperation({ summary: 'Archive a product (kept for orders, lots and trace pages)' })
  archive(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.catalog.archiveProduct(user, id);
  }

  @Post('products/:id/variants')
  @ApiOperation({ summary: 'Add a variant (pack size); 409 names a clashing SKU or GTIN' })
  addVariant(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: CreateVariantDto) {
    return this.catalog.addVariant(user, id, dto);
  }

  @Patch('products/:id/variants/:variantId')
  updateVariant(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('variantId') variantId: string, @Body() dto: UpdateVariantDto) {
    return this.catalog.updateVariant(user, id, variantId, dto);
  }

  @Post('products/:id/certificates')
  addCertificate(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: CreateCertificateDto) {
    return this.catalog.addCertificate(user, id, dto);
  }

  @Delete('products/:id/certificates/:certificateId')
  removeCertificate(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('certificateId') certificateId: string) {
    return this.catalog.removeCertificate(user, id, certificateId);
  }
}
