// Imports members from iRacing (DESIGN §4): the account's profile and owned content (`member/info`), any
// member's profile with licenses and statistics (`member/get` + `stats/member_summary` +
// `stats/member_recent_races`), and the minimal profiles the results importer needs for every participant.
// Each unit (one member) commits in one transaction, set-based, rolled back for a dry run. Profiles are merged,
// never overwritten with nulls (profile-upsert.ts). Owned content is replaced as a set: upsert what came, delete
// what did not; owned packages the catalog does not know are kept as unknown packages and reported once.
//
// `info_at` / `summary_at` say when a profile was last refreshed: they are set by a statement of their own, so
// a second run of the same sync still counts the profile unchanged.
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { CatalogImporter } from '../catalog/catalog.importer.js';
import { bulkUpsert, deleteMissing } from '../core/database/bulk-upsert.js';
import type { Queryable, UpsertSpec, WriteCounts } from '../core/database/bulk-upsert.js';
import { ImportReport, unitTransaction } from '../core/import/import-report.js';
import type { ImportOptions } from '../core/import/import-report.js';
import { IracingClient } from '../iracing/iracing.client.js';
import { IracingHttpError } from '../iracing/iracing.errors.js';
import { membersPayload } from '../iracing/iracing.payloads.js';
import {
  memberSummary,
  minimalProfileRows,
  ownedPackages,
  profileFromInfo,
  profileFromMember,
  recentSubsessionIds,
} from './members.mapping.js';
import type { ProfileRow } from './members.mapping.js';
import { upsertProfiles } from './profile-upsert.js';

/** The stored name, kept when the source has none; a placeholder only for a profile never named. */
const DISPLAY_NAME_SQL = `COALESCE(NULLIF(btrim(x.display_name_in), ''),
  (SELECT p.display_name FROM sim_profile p WHERE p.cust_id = x.cust_id), 'Member ' || x.cust_id)`;

/** Participants' profiles: the name only, every other column left as it is (or its default for a new one). */
const MINIMAL_PROFILE_SPEC: UpsertSpec = {
  table: 'sim_profile',
  key: ['cust_id'],
  columns: { cust_id: 'int' },
  inputs: { display_name_in: 'text' },
  computed: { display_name: DISPLAY_NAME_SQL },
  touch: 'updated_at',
};

const SPEC = {
  carOwnership: {
    table: 'sim_profile_car_ownership',
    key: ['cust_id', 'car_id'],
    columns: { cust_id: 'int', car_id: 'int' },
  },
  trackOwnership: {
    table: 'sim_profile_track_ownership',
    key: ['cust_id', 'package_id'],
    columns: { cust_id: 'int', package_id: 'int' },
  },
  unknownPackage: {
    table: 'sim_profile_unknown_package',
    key: ['cust_id', 'kind', 'package_id'],
    columns: { cust_id: 'int', kind: 'text', package_id: 'int' },
  },
} satisfies Record<string, UpsertSpec>;

/**
 * The catalog stored within this long (payload_hash of the catalog: written when its content changed or it was
 * fetched with refresh) is not fetched again for packages it lacks: it would not know them either.
 */
export const CATALOG_FRESH_MS = 60 * 60_000;
/** The catalog's source in payload_hash (src/catalog/catalog.importer.ts). */
const CATALOG_HASH_SOURCE = 'catalog';

type PackageKind = 'car' | 'track';
/** The owned package ids by kind; null when member/info does not list that kind. */
type OwnedIds = Record<PackageKind, number[] | null>;

interface UnknownPackage {
  kind: PackageKind;
  packageId: number;
  /** Already recorded as unknown for the account by an earlier sync. */
  seen: boolean;
}

const notSeenBefore = (list: UnknownPackage[]) => list.filter((u) => !u.seen);

/** `car packages 1, 2; track packages 3`. */
function listPackages(list: UnknownPackage[]): string {
  return (['car', 'track'] as const)
    .map((kind) => [kind, list.filter((u) => u.kind === kind).map((u) => u.packageId)] as const)
    .filter(([, ids]) => ids.length)
    .map(([kind, ids]) => `${kind} packages ${ids.join(', ')}`)
    .join('; ');
}

const OWNED_UNIT = 'owned content';

export interface MemberSyncResult {
  report: ImportReport;
  /** The subsessions of the member's recent races (newest first): the caller imports those not stored yet. */
  subsessionIds: number[];
}

/** A unit's failure that is bad data or an unknown id rather than an outage: not worth retrying. */
const dataFailure = (endpoint: string, message: string) => ({ endpoint, message, retryable: false });

@Injectable()
export class MembersImporter {
  private readonly log = new Logger(MembersImporter.name);

  constructor(
    private readonly iracing: IracingClient,
    @InjectDataSource() private readonly db: DataSource,
    private readonly catalog: CatalogImporter,
  ) {}

  /**
   * The account's profile and the cars and tracks it owns (`member/info`: always the account the syncs run as,
   * never another member). Owned content is replaced as a set, scoped to the account's cust_id.
   *
   * Owned packages the catalog does not list are kept in `sim_profile_unknown_package` and reported as a
   * warning the first time they are seen (the run stays SUCCEEDED). The catalog is fetched again for them at
   * most once per run, and only for packages not seen before and when it was not stored in the last
   * CATALOG_FRESH_MS: a package iRacing sells but never lists (real accounts own some) costs one catalog fetch,
   * not one per run.
   */
  async syncOwnedContent(options: ImportOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    try {
      const info = await this.iracing.getMemberInfo({ refresh: options.refresh });
      const profile = profileFromInfo(info);
      const { carPackageIds, trackPackageIds } = ownedPackages(info);
      const custId = info.cust_id;
      const owned: OwnedIds = { car: carPackageIds, track: trackPackageIds };

      // Packages the catalog does not hold yet (new content) are fetched through the catalog first.
      if (!options.dryRun) {
        const fresh = notSeenBefore(await this.unknownPackages(this.db, custId, owned));
        if (fresh.length && !(await this.catalogStoredWithin(CATALOG_FRESH_MS))) {
          this.log.log(
            `account ${custId} owns packages the catalog lacks (${listPackages(fresh)}): syncing the catalog first`,
          );
          report.merge(Object.assign(await this.catalog.sync({ refresh: true }), { unitsSucceeded: 0 }));
        }
      }

      let unknown: UnknownPackage[] = [];
      await unitTransaction(this.db, options, async (em) => {
        report.add('sim_profile', await upsertProfiles(em, [profile]));
        await em.query('UPDATE sim_profile SET info_at = now() WHERE cust_id = $1', [custId]);

        if (carPackageIds) {
          const cars = (await em.query(
            'SELECT car_id, package_id FROM sim_car WHERE package_id = ANY($1::int[]) ORDER BY car_id',
            [carPackageIds],
          )) as { car_id: number; package_id: number }[];
          const rows = cars.map((c) => ({ cust_id: custId, car_id: c.car_id }));
          report.add('sim_profile_car_ownership', {
            deleted: await deleteMissing(
              em,
              {
                table: SPEC.carOwnership.table,
                key: { cust_id: 'int', car_id: 'int' },
                scope: 't.cust_id = $2',
              },
              rows,
              custId,
            ),
          });
          report.add('sim_profile_car_ownership', await bulkUpsert(em, SPEC.carOwnership, rows));
        }

        if (trackPackageIds) {
          const tracks = (await em.query(
            'SELECT package_id FROM sim_track WHERE package_id = ANY($1::int[]) ORDER BY package_id',
            [trackPackageIds],
          )) as { package_id: number }[];
          const rows = tracks.map((t) => ({ cust_id: custId, package_id: t.package_id }));
          report.add('sim_profile_track_ownership', {
            deleted: await deleteMissing(
              em,
              {
                table: SPEC.trackOwnership.table,
                key: { cust_id: 'int', package_id: 'int' },
                scope: 't.cust_id = $2',
              },
              rows,
              custId,
            ),
          });
          report.add('sim_profile_track_ownership', await bulkUpsert(em, SPEC.trackOwnership, rows));
        }

        // After the ownership rows, in the same transaction: what the catalog still lacks, and whether it is new.
        unknown = await this.unknownPackages(em, custId, owned);
        const rows = unknown.map((u) => ({ cust_id: custId, kind: u.kind, package_id: u.packageId }));
        // A kind member/info did not list is left as it was, like its ownership rows.
        const listed = (Object.keys(owned) as PackageKind[]).filter((k) => owned[k] !== null);
        report.add('sim_profile_unknown_package', {
          deleted: await deleteMissing(
            em,
            {
              table: SPEC.unknownPackage.table,
              key: { cust_id: 'int', kind: 'text', package_id: 'int' },
              scope: `t.cust_id = ($2::jsonb->>'custId')::int
                      AND t.kind IN (SELECT jsonb_array_elements_text($2::jsonb->'kinds'))`,
            },
            rows,
            JSON.stringify({ custId, kinds: listed }),
          ),
        });
        report.add('sim_profile_unknown_package', await bulkUpsert(em, SPEC.unknownPackage, rows));
      });
      report.unitsSucceeded++;

      const fresh = notSeenBefore(unknown);
      if (unknown.length) {
        const message =
          `account ${custId} owns ${listPackages(fresh)} (package_id) that the catalog does not list: kept as ` +
          `unknown packages (Member.unknownOwnedPackages), the matched ones were written` +
          (unknown.length > fresh.length ? ` (${unknown.length} unknown in all)` : '');
        if (fresh.length) {
          this.log.warn(message);
          report.warn(OWNED_UNIT, message, 'member/info');
        } else
          this.log.log(
            `account ${custId} still owns ${listPackages(unknown)} that the catalog does not list`,
          );
      }
      for (const [list, what] of [
        [carPackageIds, 'car_packages (owned cars left as they were)'],
        [trackPackageIds, 'track_packages (owned tracks left as they were)'],
      ] as const) {
        if (!list) report.fail(OWNED_UNIT, dataFailure('member/info', `member/info lists no ${what}`));
      }
    } catch (err) {
      report.fail(OWNED_UNIT, err);
    }
    return report;
  }

  /**
   * The owned packages the catalog does not list, each with whether it is already recorded as unknown for the
   * account (seen by an earlier sync).
   */
  private async unknownPackages(db: Queryable, custId: number, owned: OwnedIds): Promise<UnknownPackage[]> {
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

  /** Whether the catalog was written (changed, or fetched with refresh) within the last `ms`. */
  private async catalogStoredWithin(ms: number): Promise<boolean> {
    const [r] = (await this.db.query(
      `SELECT updated_at > now() - make_interval(secs => $2::double precision / 1000) AS fresh
       FROM payload_hash WHERE source = $1`,
      [CATALOG_HASH_SOURCE, ms],
    )) as { fresh: boolean }[];
    return r?.fresh ?? false;
  }

  /**
   * One member's profile, licenses and statistics (`member/get`, `stats/member_summary`,
   * `stats/member_recent_races`) in one transaction. Returns the recent races' subsession ids too.
   */
  async syncMember(custId: number, options: ImportOptions = {}): Promise<MemberSyncResult> {
    const report = new ImportReport();
    const unit = `member ${custId}`;
    let subsessionIds: number[] = [];
    try {
      const call = { refresh: options.refresh };
      // member/get through the generic call: getMembers() does not ask for licenses.
      const got = await this.iracing
        .data('member/get', { cust_ids: String(custId), include_licenses: true }, membersPayload, call)
        .catch((err: unknown) => {
          if (err instanceof IracingHttpError && err.status === 404) return { members: [] };
          throw err;
        });
      const member = got.members.find((m) => m.cust_id === custId);
      if (!member) {
        report.fail(unit, dataFailure('member/get', `iRacing knows no member with cust_id ${custId}`));
        return { report, subsessionIds };
      }
      const [summary, recent] = await Promise.all([
        this.iracing.getMemberSummary(custId, call),
        this.iracing.getMemberRecentRaces(custId, call),
      ]);
      subsessionIds = recentSubsessionIds(recent.races);
      const profile: ProfileRow = {
        ...profileFromMember(member),
        summary: memberSummary(summary, recent.races),
      };

      await unitTransaction(this.db, options, async (em) => {
        report.add('sim_profile', await upsertProfiles(em, [profile]));
        await em.query('UPDATE sim_profile SET info_at = now(), summary_at = now() WHERE cust_id = $1', [
          custId,
        ]);
      });
      report.unitsSucceeded++;
    } catch (err) {
      report.fail(unit, err);
    }
    return { report, subsessionIds };
  }

  /**
   * Minimal profiles for participants (the results importer, inside its own transaction): inserts the missing
   * ones, renames the ones whose display name changed, leaves everything else. One statement per 5000 rows.
   */
  async ensureProfiles(
    em: EntityManager | Queryable,
    rows: readonly { cust_id: number; display_name?: string | null }[],
  ): Promise<WriteCounts> {
    // Sorted by cust_id (minimalProfileRows), so concurrent imports lock shared profiles in the same order.
    const input = minimalProfileRows(rows).map((r) => ({
      cust_id: r.cust_id,
      display_name_in: r.display_name,
    }));
    return bulkUpsert(em, MINIMAL_PROFILE_SPEC, input);
  }
}
