// The catalog: cars, car classes, tracks. Exports its importer (for the scheduler) and its service.
import { Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataLoaderService } from '../core/graphql/dataloader.registry.js';
import { CATALOG_ENTITIES } from './catalog.entities.js';
import { CatalogImporter } from './catalog.importer.js';
import { CatalogLoaders } from './catalog.loaders.js';
import { CarClassResolver, CarResolver, TrackLayoutResolver, TrackResolver } from './catalog.resolver.js';
import { CatalogService } from './catalog.service.js';

@Module({
  imports: [TypeOrmModule.forFeature(CATALOG_ENTITIES)],
  providers: [
    CatalogService,
    CatalogImporter,
    CarResolver,
    CarClassResolver,
    TrackResolver,
    TrackLayoutResolver,
  ],
  exports: [CatalogService, CatalogImporter],
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
