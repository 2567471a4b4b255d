import { Module } from '@nestjs/common';
import { ManageCatalogController, PublicCatalogController } from './catalog.controllers';
import { CatalogService } from './catalog.service';

/** Products, variants, certificates and categories; public listing/search and manager CRUD. */
@Module({
  controllers: [PublicCatalogController, ManageCatalogController],
  providers: [CatalogService],
  exports: [CatalogService],
})
export class CatalogModule {}
