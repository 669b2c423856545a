// Imports members from iRacing (docs/architecture.md §4.5): a member's own account, profile and owned content
// (`member/info`: the system account's, or a linked member's with their token),
// any member's profile with licenses and statistics (`member/get` + `stats/member_summary` +
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
import { CatalogRefsService } from '../catalog/catalog-refs.service.js';
import { bulkUpsert } from '../core/database/bulk-upsert.js';
import type { Queryable, UpsertSpec, WriteCounts } from '../core/database/bulk-upsert.js';
import { ImportError } from '../core/import/import-error.js';
import { ImportReport, unitTransaction } from '../core/import/import-report.js';
import type { ImportOptions } from '../core/import/import-report.js';
import { IracingClient } from '../iracing/iracing.client.js';
import { IracingHttpError } from '../iracing/iracing.errors.js';
import { membersPayload } from '../iracing/iracing.payloads.js';
import type { IracingMemberInfo } from '../iracing/iracing.payloads.js';
import {
  memberSummary,
  minimalProfileRows,
  ownedPackages,
  profileFromInfo,
  profileFromMember,
  recentSubsessionIds,
} from './members.mapping.js';
import type { ProfileRow } from './members.mapping.js';
import {
  forgetOwnedContent,
  listPackages,
  notSeenBefore,
  unknownPackages,
  writeOwnedContent,
} from './owned-content.js';
import type { OwnedContentDeleted, OwnedIds, UnknownPackage } from './owned-content.js';
import { upsertProfiles } from './profile-upsert.js';

/** The stored name, kept when the source has none; a placeholder only for a profile never named. */
const DISPLAY_NAME_SQL = `COALESCE(NULLIF(btrim(x.display_name_in), ''),
  (SELECT p.display_name FROM sim_profile p WHERE p.cust_id = x.cust_id), 'Member ' || x.cust_id)`;

/**
 * Participants' profiles: the name only, every other column left as it is (or its default for a new one). Its
 * one column is the key; the name is computed.
 */
const MINIMAL_PROFILE_SPEC: UpsertSpec = {
  table: 'sim_profile',
  key: ['cust_id'],
  columns: { cust_id: 'int' },
  inputs: { display_name_in: 'text' },
  computed: { display_name: DISPLAY_NAME_SQL },
  touch: 'updated_at',
};

/**
 * The catalog stored within this long (payload_hash of the catalog: written when its content changed or it was
 * fetched with refresh) is not fetched again for packages it lacks: it would not know them either.
 */
const CATALOG_FRESH_MS = 60 * 60_000;

const OWNED_UNIT = 'owned content';

/** A driver a subsession names, for the minimal profile results needs. */
export interface Participant {
  cust_id: number;
  display_name?: string | null;
}

export interface MemberSyncResult {
  report: ImportReport;
  /** The subsessions of the member's recent races (newest first): the caller imports those not stored yet. */
  subsessionIds: number[];
}

@Injectable()
export class MembersImporter {
  private readonly log = new Logger(MembersImporter.name);

  constructor(
    private readonly iracing: IracingClient,
    @InjectDataSource() private readonly db: DataSource,
    private readonly catalog: CatalogRefsService,
  ) {}

  /**
   * The system account's profile and the cars and tracks it owns (`member/info` with the syncs' own token): the
   * same import as any linked member's (`importAccount`), scoped to the account's cust_id.
   */
  async syncOwnedContent(options: ImportOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    try {
      const info = await this.iracing.getMemberInfo({ refresh: options.refresh });
      await this.importAccount(info, options, report);
    } catch (err) {
      report.fail(OWNED_UNIT, err);
    }
    return report;
  }

  /**
   * A member's own account as their `member/info` describes it (the system account's and every linked member's
   * alike, docs/architecture.md §4.15): profile, licences and owned content in one transaction, with the summary
   * of their `stats/member_summary` and recent races when given. Owned content is replaced as a set, scoped to
   * the member's cust_id.
   *
   * Owned packages the catalog does not list are kept in `sim_profile_unknown_package` and reported as a
   * warning the first time they are seen (the run stays SUCCEEDED). The catalog is fetched again for them at
   * most once per run, and only for packages not seen before and when it was not stored in the last
   * CATALOG_FRESH_MS: a package iRacing sells but never lists (real accounts own some) costs one catalog fetch,
   * not one per run.
   */
  async importAccount(
    info: IracingMemberInfo,
    options: ImportOptions,
    report: ImportReport,
    summary?: Record<string, unknown>,
  ): Promise<void> {
    const { carPackageIds, trackPackageIds } = ownedPackages(info);
    const custId = info.cust_id;
    const owned: OwnedIds = { car: carPackageIds, track: trackPackageIds };
    await this.ensureCatalogKnows(custId, owned, options, report);
    let unknown: UnknownPackage[] = [];
    await unitTransaction(this.db, options, async (em) => {
      const profile: ProfileRow = summary ? { ...profileFromInfo(info), summary } : profileFromInfo(info);
      report.add('sim_profile', await upsertProfiles(em, [profile]));
      await em.query(
        `UPDATE sim_profile SET info_at = now()${summary ? ', summary_at = now()' : ''} WHERE cust_id = $1`,
        [custId],
      );
      unknown = await writeOwnedContent(em, custId, owned, report);
    });
    report.unitsSucceeded++;
    this.tellUnknown(custId, unknown, report);
    for (const [list, what] of [
      [carPackageIds, 'car_packages (owned cars left as they were)'],
      [trackPackageIds, 'track_packages (owned tracks left as they were)'],
    ] as const) {
      if (!list) report.fail(OWNED_UNIT, ImportError.badData('member/info', `member/info lists no ${what}`));
    }
  }

  /** Deletes a member's owned content (their link is gone): what was deleted, by kind. */
  forgetOwnedContent(custId: number): Promise<OwnedContentDeleted> {
    return forgetOwnedContent(this.db, custId);
  }

  /**
   * Owned packages the catalog does not hold yet (new content) are fetched through the catalog first: only the
   * ones not seen before, and not when the catalog is fresh (CATALOG_FRESH_MS) or for a dry run.
   */
  private async ensureCatalogKnows(
    custId: number,
    owned: OwnedIds,
    options: ImportOptions,
    report: ImportReport,
  ): Promise<void> {
    if (options.dryRun) return;
    const fresh = notSeenBefore(await unknownPackages(this.db, custId, owned));
    if (!fresh.length) return;
    const ids = (kind: 'car' | 'track') => fresh.filter((u) => u.kind === kind).map((u) => u.packageId);
    const ensured = await this.catalog.ensureKnown(
      { carPackageIds: ids('car'), trackPackageIds: ids('track') },
      { unlessStoredWithinMs: CATALOG_FRESH_MS, by: `account ${custId} (${listPackages(fresh)})` },
    );
    if (ensured.fetched) report.merge(ensured.fetched, { units: false });
  }

  /** Owned packages the catalog does not list: a warning the first time they are seen, a log line after. */
  private tellUnknown(custId: number, unknown: UnknownPackage[], report: ImportReport): void {
    if (!unknown.length) return;
    const fresh = notSeenBefore(unknown);
    if (!fresh.length) {
      this.log.log(`account ${custId} still owns ${listPackages(unknown)} that the catalog does not list`);
      return;
    }
    const message =
      `account ${custId} owns ${listPackages(fresh)} (package_id) that the catalog does not list: kept as ` +
      `unknown packages (Member.unknownOwnedPackages), the matched ones were written` +
      (unknown.length > fresh.length ? ` (${unknown.length} unknown in all)` : '');
    this.log.warn(message);
    report.warn(OWNED_UNIT, message, 'member/info');
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
        report.fail(
          unit,
          ImportError.badData('member/get', `iRacing knows no member with cust_id ${custId}`, {
            params: { cust_ids: custId },
          }),
        );
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
  async ensureProfiles(em: EntityManager | Queryable, rows: readonly Participant[]): Promise<WriteCounts> {
    // Sorted by cust_id (minimalProfileRows), so concurrent imports lock shared profiles in the same order.
    const input = minimalProfileRows(rows).map((r) => ({
      cust_id: r.cust_id,
      display_name_in: r.display_name,
    }));
    return bulkUpsert(em, MINIMAL_PROFILE_SPEC, input);
  }
}
