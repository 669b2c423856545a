// Read side of the members module: one member, and the batch look-ups behind the DataLoaders (profiles, owned
// cars, owned tracks). Other modules use this service, never the members' repositories.
import { Injectable } from '@nestjs/common';
import type { OwnedContent, OwnershipLookup } from '../core/ownership.js';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { NotFoundError } from '../core/errors/domain-error.js';
import {
  MemberCarOwnership,
  MemberTrackOwnership,
  UnknownOwnedPackage,
} from './entities/ownership.entity.js';
import { Member } from './entities/member.entity.js';

export interface OwnedCar {
  custId: number;
  carId: number;
}

export interface OwnedTrack {
  custId: number;
  packageId: number;
}

@Injectable()
export class MembersService implements OwnershipLookup {
  constructor(
    @InjectRepository(Member) private readonly profiles: Repository<Member>,
    @InjectRepository(MemberCarOwnership) private readonly cars: Repository<MemberCarOwnership>,
    @InjectRepository(MemberTrackOwnership) private readonly tracks: Repository<MemberTrackOwnership>,
    @InjectRepository(UnknownOwnedPackage)
    private readonly unknownPackages: Repository<UnknownOwnedPackage>,
  ) {}

  /** One member by cust_id; NotFoundError when no profile is stored. */
  /** The member's owned cars and track packages (OwnershipLookup, for the race calendar); null when unknown. */
  async ownedContent(custId: number): Promise<OwnedContent | null> {
    if (!(await this.profiles.existsBy({ custId }))) return null;
    const [cars, tracks] = await Promise.all([
      this.ownedCarIdsOf([custId]),
      this.ownedTrackPackageIdsOf([custId]),
    ]);
    return { carIds: cars.map((c) => c.carId), trackPackageIds: tracks.map((t) => t.packageId) };
  }

  async member(custId: number): Promise<Member> {
    return (await this.profiles.findOneBy({ custId })) ?? Promise.reject(new NotFoundError('Member', custId));
  }

  // Batch look-ups for DataLoaders: one statement per batch of keys.

  profilesByIds(ids: readonly number[]): Promise<Member[]> {
    return this.profiles.findBy({ custId: In([...ids]) });
  }

  /** The cars the members own, by cust_id then car_id. */
  async ownedCarIdsOf(custIds: readonly number[]): Promise<OwnedCar[]> {
    const rows = await this.cars.find({
      select: { custId: true, carId: true },
      where: { custId: In([...custIds]) },
      order: { custId: 'ASC', carId: 'ASC' },
    });
    return rows.map((r) => ({ custId: r.custId, carId: r.carId }));
  }

  /** The track packages the members own, by cust_id then package_id. */
  async ownedTrackPackageIdsOf(custIds: readonly number[]): Promise<OwnedTrack[]> {
    const rows = await this.tracks.find({
      select: { custId: true, packageId: true },
      where: { custId: In([...custIds]) },
      order: { custId: 'ASC', packageId: 'ASC' },
    });
    return rows.map((r) => ({ custId: r.custId, packageId: r.packageId }));
  }

  /** The owned packages the catalog does not list, by cust_id, kind (cars first) then package_id. */
  unknownPackagesOf(custIds: readonly number[]): Promise<UnknownOwnedPackage[]> {
    return this.unknownPackages.find({
      where: { custId: In([...custIds]) },
      order: { custId: 'ASC', kind: 'ASC', packageId: 'ASC' },
    });
  }
}
