// The members module's per-request DataLoaders: a profile by cust_id (also for results' participants), and the
// owned car ids, track package ids and unknown packages of many members at once, so a query costs one statement
// per level.
import DataLoader from 'dataloader';
import { groupBy, indexBy } from '../core/graphql/dataloader.registry.js';
import type { UnknownOwnedPackage } from './entities/ownership.entity.js';
import type { Member } from './entities/member.entity.js';
import type { MembersService } from './members.service.js';

export class MembersLoaders {
  constructor(private readonly members: MembersService) {}

  readonly profile = new DataLoader<number, Member | null>(async (ids) =>
    indexBy(ids, await this.members.profilesByIds(ids), (p) => p.custId),
  );

  /** car_ids owned by a cust_id (resolve them with CatalogLoaders.car). */
  readonly ownedCarIds = new DataLoader<number, number[]>(async (ids) =>
    groupBy(ids, await this.members.ownedCarIdsOf(ids), (o) => o.custId).map((list) =>
      list.map((o) => o.carId),
    ),
  );

  /** Track package_ids owned by a cust_id (resolve them with CatalogLoaders.track). */
  readonly ownedTrackPackageIds = new DataLoader<number, number[]>(async (ids) =>
    groupBy(ids, await this.members.ownedTrackPackageIdsOf(ids), (o) => o.custId).map((list) =>
      list.map((o) => o.packageId),
    ),
  );

  /** Owned packages the catalog does not list, by cust_id. */
  readonly unknownPackages = new DataLoader<number, UnknownOwnedPackage[]>(async (ids) =>
    groupBy(ids, await this.members.unknownPackagesOf(ids), (u) => u.custId),
  );
}
