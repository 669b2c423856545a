// Imports members from iRacing (DESIGN §4): the account's profile and owned content (`member/info`), any
// member's profile with licenses and statistics (`member/get` + `stats/member_summary` +
// `stats/member_recent_races`), and the minimal profiles the results importer needs for every participant.
// Each unit (one member) commits in one transaction, set-based, rolled back for a dry run. Owned content is
// replaced as a set: upsert what came, delete what did not. Owned packages the catalog does not know are written
// for what matches and reported for the rest, never dropped silently.
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
  PROFILE_COLUMNS,
  profileFromInfo,
  profileFromMember,
  recentSubsessionIds,
} from './members.mapping.js';
import type { ProfileRow } from './members.mapping.js';

/** The stored name, kept when the source has none; a placeholder only for a profile never named. */
const DISPLAY_NAME_SQL = `COALESCE(NULLIF(btrim(x.display_name_in), ''),
  (SELECT p.display_name FROM sim_profile p WHERE p.cust_id = x.cust_id), 'Member ' || x.cust_id)`;
/** The stored raw fields, overlaid with the source's (top-level keys). */
const RAW_SQL = `COALESCE((SELECT p.raw FROM sim_profile p WHERE p.cust_id = x.cust_id), '{}'::jsonb)
  || COALESCE(x.raw_in, '{}'::jsonb)`;

/** The upsert of profile rows that set `columns` (besides cust_id, display_name and raw). */
function profileSpec(columns: readonly (keyof typeof PROFILE_COLUMNS)[]): UpsertSpec {
  return {
    table: 'sim_profile',
    key: ['cust_id'],
    columns: { cust_id: 'int', ...Object.fromEntries(columns.map((c) => [c, PROFILE_COLUMNS[c]])) },
    inputs: { display_name_in: 'text', raw_in: 'jsonb' },
    computed: { display_name: DISPLAY_NAME_SQL, raw: RAW_SQL },
    touch: 'updated_at',
  };
}

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
} satisfies Record<string, UpsertSpec>;

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
   */
  async syncOwnedContent(options: ImportOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    try {
      const info = await this.iracing.getMemberInfo({ refresh: options.refresh });
      const profile = profileFromInfo(info);
      const { carPackageIds, trackPackageIds } = ownedPackages(info);
      const custId = info.cust_id;
      const unknown = { cars: [] as number[], tracks: [] as number[] };
      // Packages the catalog does not hold yet (new content) are fetched through the catalog first.
      if (!options.dryRun && (await this.unknownPackages(carPackageIds ?? [], trackPackageIds ?? [])) > 0) {
        this.log.log(`account ${custId} owns packages the catalog lacks: syncing the catalog first`);
        report.merge(Object.assign(await this.catalog.sync({ refresh: true }), { unitsSucceeded: 0 }));
      }

      await unitTransaction(this.db, options, async (em) => {
        report.add('sim_profile', await this.upsertProfile(em, profile));
        await em.query('UPDATE sim_profile SET info_at = now() WHERE cust_id = $1', [custId]);

        if (carPackageIds) {
          const cars = (await em.query(
            'SELECT car_id, package_id FROM sim_car WHERE package_id = ANY($1::int[]) ORDER BY car_id',
            [carPackageIds],
          )) as { car_id: number; package_id: number }[];
          const matched = new Set(cars.map((c) => c.package_id));
          unknown.cars = carPackageIds.filter((id) => !matched.has(id));
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
          const matched = new Set(tracks.map((t) => t.package_id));
          unknown.tracks = trackPackageIds.filter((id) => !matched.has(id));
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
      });
      report.unitsSucceeded++;

      const unmatched = [
        unknown.cars.length ? `car packages ${unknown.cars.join(', ')}` : '',
        unknown.tracks.length ? `track packages ${unknown.tracks.join(', ')}` : '',
      ].filter(Boolean);
      if (unmatched.length) {
        const message =
          `account ${custId} owns ${unmatched.join('; ')} (package_id) that the catalog does not list: ` +
          'the matched ones were written (the catalog was fetched and still lacks them)';
        this.log.warn(message);
        report.fail(OWNED_UNIT, dataFailure('member/info', message));
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

  private async unknownPackages(carPackageIds: number[], trackPackageIds: number[]): Promise<number> {
    const [r] = (await this.db.query(
      `SELECT (SELECT count(*) FROM unnest($1::int[]) x WHERE NOT EXISTS (SELECT 1 FROM sim_car WHERE package_id = x))
            + (SELECT count(*) FROM unnest($2::int[]) x WHERE NOT EXISTS (SELECT 1 FROM sim_track WHERE package_id = x))
            AS n`,
      [carPackageIds, trackPackageIds],
    )) as { n: string }[];
    return Number(r.n);
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
        report.add('sim_profile', await this.upsertProfile(em, profile));
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

  private upsertProfile(db: Queryable, row: ProfileRow): Promise<WriteCounts> {
    const columns = (Object.keys(PROFILE_COLUMNS) as (keyof typeof PROFILE_COLUMNS)[]).filter(
      (c) => row[c] !== undefined,
    );
    const { display_name, raw, ...rest } = row;
    return bulkUpsert(db, profileSpec(columns), [{ ...rest, display_name_in: display_name, raw_in: raw }]);
  }
}
