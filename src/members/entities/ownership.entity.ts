// The content a member owns (from the account's `member/info`): cars and tracks. iRacing lists purchased
// packages; a car package is resolved to its cars through `sim_car.package_id`, a track package is a `sim_track`.
// Not GraphQL types: `Member.ownedCars` / `ownedTracks` resolve to the catalog's Car and Track.
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { Relation } from 'typeorm';
import type { SimCar } from '../../catalog/entities/sim-car.entity.js';
import type { SimTrack } from '../../catalog/entities/sim-track.entity.js';
import type { SimProfile } from './sim-profile.entity.js';

@Entity('sim_profile_car_ownership')
@Unique('uq_sim_profile_car_ownership_cust_car', ['custId', 'carId'])
export class SimProfileCarOwnership {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'cust_id', type: 'int' })
  custId: number;

  @ManyToOne('SimProfile', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'cust_id' })
  profile: Relation<SimProfile>;

  @Index()
  @Column({ name: 'car_id', type: 'int' })
  carId: number;

  @ManyToOne('SimCar', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'car_id' })
  car: Relation<SimCar>;
}

@Entity('sim_profile_track_ownership')
@Unique('uq_sim_profile_track_ownership_cust_package', ['custId', 'packageId'])
export class SimProfileTrackOwnership {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'cust_id', type: 'int' })
  custId: number;

  @ManyToOne('SimProfile', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'cust_id' })
  profile: Relation<SimProfile>;

  @Index()
  @Column({ name: 'package_id', type: 'int' })
  packageId: number;

  @ManyToOne('SimTrack', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'package_id' })
  track: Relation<SimTrack>;
}
