// Imports one subsession (`results/get`) as one unit in one transaction: the subsession, every simsession's team
// and driver rows, a Member for every driver (through the members importer), linked
// to its session (SessionsService.linkInstance: by session_id, else by season, week and start). A series race
// whose season, week or event is unknown gets its chain from the seasons module first (schedule fetched); a
// league or hosted subsession has no series week and never looks for one. Unknown cars, classes or tracks are
// ensured through the catalog (at most one catalog fetch per run). When such a dependency fails, the
// subsession's failure names its endpoint, parameters and status (ImportError.causedBy). Laps, when asked for,
// follow (laps.importer.ts).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { CatalogRefsService } from '../catalog/catalog-refs.service.js';
import type { CatalogFetchState } from '../catalog/catalog-refs.service.js';
import { bulkUpsert, entityUpserts, replaceRows } from '../core/database/bulk-upsert.js';
import { contentHash, storedHash, storeHash } from '../core/database/payload-hash.js';
import { ImportError } from '../core/import/import-error.js';
import { unitTransaction } from '../core/import/import-report.js';
import type { ImportOptions, ImportReport } from '../core/import/import-report.js';
import type { IracingResult } from '../iracing/iracing.payloads.js';
import { MembersImporter } from '../members/members.importer.js';
import { SeasonsImporter } from '../seasons/seasons.importer.js';
import { SessionsService } from '../seasons/sessions.service.js';
import { Subsession } from './entities/subsession.entity.js';
import { SubsessionClass } from './entities/subsession-class.entity.js';
import { DriverResult, TeamResult } from './entities/driver-result.entity.js';
import { SubsessionKind } from './entities/subsession-kind.js';
import { LapsImporter } from './laps.importer.js';
import { subsessionBundle } from './results.mapping.js';
import type { SubsessionBundle } from './results.mapping.js';

export interface SubsessionOptions extends ImportOptions {
  /** Also store the laps of the main event (one `results/lap_data` call per driver or team). */
  includeLaps?: boolean;
}

/** What the subsessions of one run share: the catalog is fetched at most once for them all. */
export interface SubsessionRunState {
  catalog: CatalogFetchState;
}

export const newRunState = (): SubsessionRunState => ({ catalog: {} });

const SPEC = entityUpserts({
  // `laps_at` is set once the laps are stored (laps.importer.ts).
  event: { entity: Subsession, key: ['subsession_id'], exclude: ['laps_at'], touch: 'updated_at' },
  team: { entity: TeamResult, key: ['event_result_id', 'simsession_number', 'team_id'] },
  driver: { entity: DriverResult, key: ['event_result_id', 'simsession_number', 'cust_id'] },
  classes: { entity: SubsessionClass, key: ['event_result_id', 'car_class_id'] },
});

@Injectable()
export class SubsessionImporter {
  constructor(
    private readonly catalog: CatalogRefsService,
    private readonly seasons: SeasonsImporter,
    private readonly sessions: SessionsService,
    private readonly laps: LapsImporter,
    private readonly members: MembersImporter,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /**
   * One subsession into `report`, which keeps what was written even when the unit then fails (the caller records
   * the failure). Its laps, when asked for, are reported per driver or team: the subsession itself has succeeded.
   */
  async importInto(
    report: ImportReport,
    payload: IracingResult,
    options: SubsessionOptions,
    state: SubsessionRunState,
  ): Promise<void> {
    const subsessionId = payload.subsession_id;
    let bundle: SubsessionBundle;
    try {
      bundle = subsessionBundle(payload);
    } catch (err) {
      throw ImportError.from(err, {
        endpoint: 'results/get',
        params: { subsession_id: subsessionId },
        retryable: false,
      });
    }
    const eventId = await this.ensureChain(bundle, options, report);
    await this.ensureCatalog(bundle, options, report, state);
    await this.write(bundle, contentHash(payload), eventId, options, report);
    report.unitsSucceeded++;
    if (options.includeLaps) {
      try {
        await this.laps.importLaps(bundle, options, report);
      } catch (err) {
        report.fail(`subsession ${subsessionId} laps`, err);
      }
    }
  }

  /** The subsession's rows in one transaction, skipped when its payload is unchanged (unless `refresh`). */
  private async write(
    bundle: SubsessionBundle,
    hash: string,
    eventId: number | null,
    options: ImportOptions,
    report: ImportReport,
  ): Promise<void> {
    const source = `subsession:${bundle.event.subsession_id}`;
    await unitTransaction(this.db, options, async (em) => {
      // A subsession's results rarely change once published: an unchanged payload is skipped unless `refresh`.
      if (!options.refresh && (await storedHash(em, source)) === hash) {
        report.unchanged('event_result', 1);
        report.unchanged('team_result', bundle.teams.length);
        report.unchanged('participant_result', bundle.drivers.length);
        report.unchanged('event_result_class', bundle.classes.length);
        return;
      }
      let instanceId: number | null = null;
      if (eventId !== null) {
        const linked = await this.sessions.linkInstance(em, eventId, {
          start_time: bundle.event.start_time as string,
          session_id: bundle.event.session_id as number | null,
        });
        report.add('event_instance', linked.counts);
        instanceId = linked.id;
      }
      await this.writeRows(em, bundle, instanceId, report);
      await storeHash(em, source, hash);
    });
  }

  private async writeRows(
    em: EntityManager,
    bundle: SubsessionBundle,
    instanceId: number | null,
    report: ImportReport,
  ): Promise<void> {
    const spec = SPEC(this.db);
    const written = await bulkUpsert(em, spec.event, [{ ...bundle.event, event_instance_id: instanceId }]);
    report.add('event_result', written);
    // A subsession seen for the first time has no rows to delete.
    const isNew = written.created === 1;
    const [{ id }] = (await em.query('SELECT id FROM event_result WHERE subsession_id = $1', [
      bundle.event.subsession_id,
    ])) as { id: number }[];
    report.add('sim_profile', await this.members.ensureProfiles(em, participants(bundle)));
    const teams = bundle.teams.map((t) => ({ ...t, event_result_id: id }));
    const drivers = bundle.drivers.map((d) => ({ ...d, event_result_id: id }));
    const scope = 't.event_result_id = $2';
    const stale = (table: string, key: Record<string, string>) => (isNew ? null : { table, key, scope });
    const teamKey = { simsession_number: 'int', team_id: 'int' };
    const driverKey = { simsession_number: 'int', cust_id: 'int' };
    report.add('team_result', await replaceRows(em, spec.team, teams, stale('team_result', teamKey), id));
    report.add(
      'participant_result',
      await replaceRows(em, spec.driver, drivers, stale('participant_result', driverKey), id),
    );
    const classes = bundle.classes.map((c) => ({ ...c, event_result_id: id }));
    report.add(
      'event_result_class',
      await replaceRows(em, spec.classes, classes, stale('event_result_class', { car_class_id: 'int' }), id),
    );
  }

  /** The event of the subsession's week, creating the chain through the seasons module when unknown. */
  private async ensureChain(
    b: SubsessionBundle,
    options: ImportOptions,
    report: ImportReport,
  ): Promise<number | null> {
    const { season_id: seasonId, race_week_num: week } = b.event;
    // A league or hosted session (season 0) is on no series calendar: no chain to link, nothing to fetch.
    if (b.event.kind !== SubsessionKind.OFFICIAL || seasonId === null || week === null) return null;
    const found = await this.sessions.eventOfWeek(seasonId, week);
    if (found !== null) return found;
    if (options.dryRun)
      throw ImportError.badData(
        undefined,
        `subsession ${b.event.subsession_id}: season ${seasonId} is not stored yet, and a dry run does not create ` +
          'its chain (schedule, race week, event): sync the season (or this subsession) without dryRun first',
      );
    const imported = await this.seasons.importSchedules([seasonId], options);
    // Its failure is not another unit of this run but the cause of this subsession's, told there.
    report.merge(imported, { units: false, failures: 'omit' });
    const again = await this.sessions.eventOfWeek(seasonId, week);
    if (again !== null) return again;
    const cause = imported.failures[0];
    throw ImportError.causedBy(
      `subsession ${b.event.subsession_id}: season ${seasonId} week ${week} is not known` +
        (cause
          ? ` (its schedule could not be imported: ${cause.message})`
          : ' (its schedule does not list that week)'),
      cause,
    );
  }

  /** Cars, classes and the track the subsession names, ensured through the catalog. */
  private async ensureCatalog(
    b: SubsessionBundle,
    options: ImportOptions,
    report: ImportReport,
    state: SubsessionRunState,
  ): Promise<void> {
    const refs = { carIds: b.refs.carIds, carClassIds: b.refs.carClassIds, trackIds: [b.refs.trackId] };
    const ensured = await this.catalog.ensureKnown(refs, {
      dryRun: options.dryRun,
      state: state.catalog,
      by: `subsession ${b.event.subsession_id}`,
    });
    const unknown = ensured.missing.describe(refs);
    // The catalog failed, yet this subsession names nothing it lacks: its failures told, without failing the unit.
    if (ensured.fetched) report.merge(ensured.fetched, { units: false, failures: unknown ? 'omit' : 'warn' });
    if (!unknown) return;
    const cause = ensured.failure;
    throw ImportError.causedBy(
      `subsession ${b.event.subsession_id} names ${unknown} that the catalog does not list` +
        (cause ? ` (the catalog could not be fetched: ${cause.message})` : ''),
      cause,
    );
  }
}

/** A minimal profile for every driver, named as the subsession names them (the last name given wins). */
function participants(bundle: SubsessionBundle): { cust_id: number; display_name: string }[] {
  const names = new Map<number, string | null>();
  for (const d of bundle.drivers) names.set(d.cust_id, d.display_name ?? names.get(d.cust_id) ?? null);
  return [...names].map(([cust_id, display_name]) => ({
    cust_id,
    display_name: display_name ?? `Member ${cust_id}`,
  }));
}
