// The catalog: cars, car classes, tracks, and the CATALOG sync. Exports its read service and the one "ensure
// these ids are known" the other importers ask (docs/architecture.md §3.2).
import './catalog.sql.js';
import { Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataLoaderService } from '../core/graphql/dataloader.registry.js';
import { CATALOG_ENTITIES } from './catalog.entities.js';
import { CatalogRefsService } from './catalog-refs.service.js';
import { CatalogImporter } from './catalog.importer.js';
import { CatalogLoaders } from './catalog.loaders.js';
import { CarClassResolver, CarResolver, TrackLayoutResolver, TrackResolver } from './catalog.resolver.js';
import { CatalogService } from './catalog.service.js';
import { CatalogSync, CatalogSyncResolver } from './catalog.sync.js';

@Module({
  imports: [TypeOrmModule.forFeature(CATALOG_ENTITIES)],
  providers: [
    CatalogSync,
    CatalogSyncResolver,
    CatalogService,
    CatalogImporter,
    CatalogRefsService,
    CarResolver,
    CarClassResolver,
    TrackResolver,
    TrackLayoutResolver,
  ],
  exports: [CatalogService, CatalogImporter, CatalogRefsService],
})
export class CatalogModule implements OnModuleInit {
  constructor(
    private readonly loaders: DataLoaderService,
    private readonly catalog: CatalogService,
  ) {}

  onModuleInit(): void {
    this.loaders.register(CatalogLoaders, () => new CatalogLoaders(this.catalog));
  }
}
