// The account's owned content as sets, inside the owned-content unit's transaction: the cars and track packages it
// owns (matched through `package_id`, never `car_id`), and the owned packages the catalog does not list, kept as
// unknown packages. Upsert what came, delete what did not, scoped to the account; a kind `member/info` does not
// list is left as it was.
import type { EntityManager } from 'typeorm';
import { bulkUpsert, deleteMissing, entityUpserts } from '../core/database/bulk-upsert.js';
import type { Queryable } from '../core/database/bulk-upsert.js';
import type { ImportReport } from '../core/import/import-report.js';
import {
  MemberCarOwnership,
  MemberTrackOwnership,
  UnknownOwnedPackage,
} from './entities/ownership.entity.js';

const SPEC = entityUpserts({
  carOwnership: { entity: MemberCarOwnership, key: ['cust_id', 'car_id'] },
  trackOwnership: { entity: MemberTrackOwnership, key: ['cust_id', 'package_id'] },
  unknownPackage: { entity: UnknownOwnedPackage, key: ['cust_id', 'kind', 'package_id'] },
});

export type PackageKind = 'car' | 'track';
/** The owned package ids by kind; null when member/info does not list that kind. */
export type OwnedIds = Record<PackageKind, number[] | null>;

export interface UnknownPackage {
  kind: PackageKind;
  packageId: number;
  /** Already recorded as unknown for the account by an earlier sync. */
  seen: boolean;
}

export const notSeenBefore = (list: UnknownPackage[]) => list.filter((u) => !u.seen);

/** `car packages 1, 2; track packages 3`. */
export function listPackages(list: UnknownPackage[]): string {
  return (['car', 'track'] as const)
    .map((kind) => [kind, list.filter((u) => u.kind === kind).map((u) => u.packageId)] as const)
    .filter(([, ids]) => ids.length)
    .map(([kind, ids]) => `${kind} packages ${ids.join(', ')}`)
    .join('; ');
}

/**
 * The owned packages the catalog does not list, each with whether it is already recorded as unknown for the
 * account (seen by an earlier sync).
 */
export async function unknownPackages(
  db: Queryable,
  custId: number,
  owned: OwnedIds,
): Promise<UnknownPackage[]> {
  const rows = (await db.query(
    `SELECT o.kind, o.package_id,
            EXISTS (SELECT 1 FROM sim_profile_unknown_package u
                    WHERE u.cust_id = $3 AND u.kind = o.kind AND u.package_id = o.package_id) AS seen
     FROM (SELECT 'car' AS kind, x AS package_id FROM unnest($1::int[]) x
           WHERE NOT EXISTS (SELECT 1 FROM sim_car c WHERE c.package_id = x)
           UNION
           SELECT 'track', x FROM unnest($2::int[]) x
           WHERE NOT EXISTS (SELECT 1 FROM sim_track t WHERE t.package_id = x)) o
     ORDER BY o.kind, o.package_id`,
    [owned.car ?? [], owned.track ?? [], custId],
  )) as { kind: PackageKind; package_id: number; seen: boolean }[];
  return rows.map((r) => ({ kind: r.kind, packageId: r.package_id, seen: r.seen }));
}

/**
 * Replaces the account's owned cars and tracks, then its unknown packages (after the ownership rows, in the same
 * transaction: what the catalog still lacks, and whether it is new). Returns the unknown packages.
 */
export async function writeOwnedContent(
  em: EntityManager,
  custId: number,
  owned: OwnedIds,
  report: ImportReport,
): Promise<UnknownPackage[]> {
  const spec = SPEC(em.connection);
  const scope = 't.cust_id = $2';
  if (owned.car) {
    const cars = (await em.query(
      'SELECT car_id, package_id FROM sim_car WHERE package_id = ANY($1::int[]) ORDER BY car_id',
      [owned.car],
    )) as { car_id: number; package_id: number }[];
    const rows = cars.map((c) => ({ cust_id: custId, car_id: c.car_id }));
    const key = { cust_id: 'int', car_id: 'int' };
    report.add('sim_profile_car_ownership', {
      deleted: await deleteMissing(em, { table: spec.carOwnership.table, key, scope }, rows, custId),
    });
    report.add('sim_profile_car_ownership', await bulkUpsert(em, spec.carOwnership, rows));
  }
  if (owned.track) {
    const tracks = (await em.query(
      'SELECT package_id FROM sim_track WHERE package_id = ANY($1::int[]) ORDER BY package_id',
      [owned.track],
    )) as { package_id: number }[];
    const rows = tracks.map((t) => ({ cust_id: custId, package_id: t.package_id }));
    const key = { cust_id: 'int', package_id: 'int' };
    report.add('sim_profile_track_ownership', {
      deleted: await deleteMissing(em, { table: spec.trackOwnership.table, key, scope }, rows, custId),
    });
    report.add('sim_profile_track_ownership', await bulkUpsert(em, spec.trackOwnership, rows));
  }
  return writeUnknownPackages(em, custId, owned, report);
}

async function writeUnknownPackages(
  em: EntityManager,
  custId: number,
  owned: OwnedIds,
  report: ImportReport,
): Promise<UnknownPackage[]> {
  const spec = SPEC(em.connection).unknownPackage;
  const unknown = await unknownPackages(em, custId, owned);
  const rows = unknown.map((u) => ({ cust_id: custId, kind: u.kind, package_id: u.packageId }));
  const listed = (Object.keys(owned) as PackageKind[]).filter((k) => owned[k] !== null);
  report.add('sim_profile_unknown_package', {
    deleted: await deleteMissing(
      em,
      {
        table: spec.table,
        key: { cust_id: 'int', kind: 'text', package_id: 'int' },
        scope: `t.cust_id = ($2::jsonb->>'custId')::int
                AND t.kind IN (SELECT jsonb_array_elements_text($2::jsonb->'kinds'))`,
      },
      rows,
      JSON.stringify({ custId, kinds: listed }),
    ),
  });
  report.add('sim_profile_unknown_package', await bulkUpsert(em, spec, rows));
  return unknown;
}

/** What forgetting a member's owned content deleted. */
export interface OwnedContentDeleted {
  ownedCarsDeleted: number;
  ownedTracksDeleted: number;
  unknownPackagesDeleted: number;
}

/** Deletes every owned car, track package and unknown package of a member (an unlink), in one statement. */
export async function forgetOwnedContent(db: Queryable, custId: number): Promise<OwnedContentDeleted> {
  const rows = (await db.query(
    `WITH c AS (DELETE FROM sim_profile_car_ownership WHERE cust_id = $1 RETURNING 1),
          t AS (DELETE FROM sim_profile_track_ownership WHERE cust_id = $1 RETURNING 1),
          u AS (DELETE FROM sim_profile_unknown_package WHERE cust_id = $1 RETURNING 1)
     SELECT (SELECT count(*) FROM c)::int AS cars, (SELECT count(*) FROM t)::int AS tracks,
            (SELECT count(*) FROM u)::int AS unknown`,
    [custId],
  )) as { cars: number; tracks: number; unknown: number }[];
  const r = rows[0];
  return { ownedCarsDeleted: r.cars, ownedTracksDeleted: r.tracks, unknownPackagesDeleted: r.unknown };
}
