// The content a member owns (from the account's `member/info`): cars and tracks. iRacing lists purchased
// packages; a car package is resolved to its cars through `sim_car.package_id`, a track package is a `sim_track`.
// Not GraphQL types: `Member.ownedCars` / `ownedTracks` resolve to the catalog's Car and Track.
// Owned packages the catalog does not know are kept by package_id alone (`sim_profile_unknown_package`, no
// foreign key to the catalog) until a later sync finds them in the catalog.
import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import type { Relation } from 'typeorm';
import type { Car } from '../../catalog/entities/car.entity.js';
import type { Track } from '../../catalog/entities/track.entity.js';
import type { Member } from './member.entity.js';

@Entity('sim_profile_car_ownership')
@Unique('uq_sim_profile_car_ownership_cust_car', ['custId', 'carId'])
export class MemberCarOwnership {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'cust_id', type: 'int' })
  custId: number;

  @ManyToOne('Member', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'cust_id' })
  profile: Relation<Member>;

  @Index()
  @Column({ name: 'car_id', type: 'int' })
  carId: number;

  @ManyToOne('Car', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'car_id' })
  car: Relation<Car>;
}

@Entity('sim_profile_track_ownership')
@Unique('uq_sim_profile_track_ownership_cust_package', ['custId', 'packageId'])
export class MemberTrackOwnership {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'cust_id', type: 'int' })
  custId: number;

  @ManyToOne('Member', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'cust_id' })
  profile: Relation<Member>;

  @Index()
  @Column({ name: 'package_id', type: 'int' })
  packageId: number;

  @ManyToOne('Track', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'package_id' })
  track: Relation<Track>;
}

export enum OwnedPackageKind {
  CAR = 'car',
  TRACK = 'track',
}

registerEnumType(OwnedPackageKind, {
  name: 'OwnedPackageKind',
  description: 'What an owned package holds: cars (car_packages) or a track (track_packages).',
});

/**
 * A package the member owns (member/info) that the catalog does not list (yet): car/get or track/get has no
 * entry with that package_id. Replaced as a set by every owned-content sync; a package the catalog has learnt
 * since becomes an ownership row instead.
 */
@ObjectType('UnknownOwnedPackage', {
  description: 'A package the member owns that the catalog (car/get, track/get) does not list.',
})
@Entity('sim_profile_unknown_package')
@Check('CHK_sim_profile_unknown_package_kind', `"kind" IN ('car', 'track')`)
export class UnknownOwnedPackage {
  @PrimaryColumn({ name: 'cust_id', type: 'int', primaryKeyConstraintName: 'PK_sim_profile_unknown_package' })
  custId: number;

  @ManyToOne('Member', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'cust_id', foreignKeyConstraintName: 'FK_sim_profile_unknown_package_cust' })
  profile: Relation<Member>;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_sim_profile_unknown_package' })
  @Field(() => OwnedPackageKind)
  kind: OwnedPackageKind;

  @PrimaryColumn({
    name: 'package_id',
    type: 'int',
    primaryKeyConstraintName: 'PK_sim_profile_unknown_package',
  })
  @Field(() => Int, { description: 'iRacing package_id.' })
  packageId: number;

  @CreateDateColumn({ name: 'first_seen_at', type: 'timestamptz' })
  @Field({ description: 'When a sync first found the member owning it while the catalog did not list it.' })
  firstSeenAt: Date;
}
