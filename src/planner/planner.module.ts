// The planner: what a linked racer can race this week and season, what to buy next, their favourites, settings and
// plan (docs/architecture.md §6.9). Above accounts in the dependency order: it reads as the viewer (core's
// Requesters) and over the catalog, seasons, members' owned content and results; it owns the planner_* tables.
import { Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { MemberErasure } from '../core/member-erasure.js';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogModule } from '../catalog/catalog.module.js';
import { SeasonsModule } from '../seasons/seasons.module.js';
import { PLANNER_ENTITIES } from './entities/planner.entities.js';
import { PlanService } from './plan.service.js';
import { PlannerService } from './planner.service.js';
import { PurchaseGuideService } from './purchase-guide.service.js';
import { PLANNER_FIELD_RESOLVERS } from './planner-fields.resolver.js';
import { PlannerResolver } from './planner.resolver.js';

export const PLANNER_RESOLVERS = [PlannerResolver, ...PLANNER_FIELD_RESOLVERS];

@Module({
  imports: [TypeOrmModule.forFeature(PLANNER_ENTITIES), CatalogModule, SeasonsModule],
  providers: [PlannerService, PlanService, PurchaseGuideService, ...PLANNER_RESOLVERS],
  exports: [PlannerService, PlanService],
})
export class PlannerModule implements OnModuleInit {
  constructor(
    private readonly erasure: MemberErasure,
    private readonly planner: PlannerService,
    private readonly plans: PlanService,
  ) {}

  /** An unlink erases the racer's plan, favourites and settings (docs/architecture.md §6.6). */
  onModuleInit(): void {
    this.erasure.register('planItemsDeleted', (custId) => this.plans.forget(custId));
    this.erasure.register('favouritesDeleted', (custId) => this.planner.forget(custId));
  }
}
