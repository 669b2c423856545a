// Imports results (DESIGN §4): a subsession (`results/get`) is one unit in one transaction — the subsession, every
// simsession's team and driver rows, a SimProfile for every driver — linked to its EventInstance (by session_id,
// else by season, week and start). A series race whose season, week or event is unknown gets its chain from the
// seasons module first (schedule fetched, instance created as not predicted); a league or hosted subsession has
// no series week and never looks for one. Unknown cars, classes or tracks are fetched through the catalog. When a
// dependency fails (a schedule, the catalog), the subsession's failure carries its endpoint and message. Laps
// (`results/lap_data`, on demand) are fetched per driver or team: one that fails is recorded on its own and the
// others are stored. Finished sessions are found through `results/search_series` from a stored checkpoint, and
// `results/season_results` names a week's subsessions.
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { CatalogImporter } from '../catalog/catalog.importer.js';
import { forEachLimit } from '../core/concurrency.js';
import { progressCounter } from '../core/import/progress.js';
import { AppConfig } from '../core/config/app-config.js';
import { bulkUpsert, deleteMissing } from '../core/database/bulk-upsert.js';
import { contentHash, storedHash, storeHash } from '../core/database/payload-hash.js';
import type { UpsertSpec } from '../core/database/bulk-upsert.js';
import { ImportReport, unitTransaction } from '../core/import/import-report.js';
import type { ImportOptions, UnitFailure } from '../core/import/import-report.js';
import { IracingClient } from '../iracing/iracing.client.js';
import type { IracingResult } from '../iracing/iracing.payloads.js';
import { MembersImporter } from '../members/members.importer.js';
import { SeasonsImporter } from '../seasons/seasons.importer.js';
import { SubsessionKind } from './entities/subsession-kind.js';
import { lapRows, subsessionBundle } from './results.mapping.js';
import type { SubsessionBundle } from './results.mapping.js';

export interface SubsessionOptions extends ImportOptions {
  /** Also store the laps of the main event (one `results/lap_data` call per driver or team). */
  includeLaps?: boolean;
}

/** What a search or a season's result list found: the subsessions not stored yet, for the caller to queue. */
export interface FoundSubsessions {
  report: ImportReport;
  subsessionIds: number[];
  /**
   * Where the results search checkpoint moves once these subsessions are queued: the caller saves it
   * (`saveCheckpoint`) in the transaction that records their runs, so a failure to queue them leaves it where
   * it was and the next search finds them again.
   */
  checkpoint?: Date;
}

export const SEARCH_CHECKPOINT = 'results:search_series';
/** Searches start this long before the checkpoint: results published a little after their finish are not missed. */
const CHECKPOINT_OVERLAP_MS = 15 * 60_000;
const RACE = 5;
/** Subsession transactions run at once. */
const SUBSESSION_CONCURRENCY = 3;
/** `results/lap_data` calls (one per driver or team) of one subsession at once. */
const LAP_CONCURRENCY = 4;

const RESULT_COLUMNS = {
  simsession_number: 'int',
  display_name: 'text',
  car_id: 'int',
  car_class_id: 'int',
  finish_position: 'int',
  finish_position_in_class: 'int',
  starting_position: 'int',
  laps_complete: 'int',
  laps_lead: 'int',
  incidents: 'int',
  best_lap_time: 'int',
  best_lap_num: 'int',
  average_lap: 'int',
  interval: 'int',
  reason_out: 'text',
  champ_points: 'int',
  raw: 'jsonb',
  event_result_id: 'int',
} as const;

const SPEC = {
  event: {
    table: 'event_result',
    key: ['subsession_id'],
    columns: {
      subsession_id: 'int',
      session_id: 'int',
      event_instance_id: 'int',
      kind: 'text',
      season_id: 'int',
      series_id: 'int',
      race_week_num: 'int',
      league_id: 'int',
      league_season_id: 'int',
      session_name: 'text',
      start_time: 'timestamptz',
      end_time: 'timestamptz',
      track_id: 'int',
      event_type: 'int',
      official: 'boolean',
      license_category: 'text',
      num_drivers: 'int',
      strength_of_field: 'int',
      num_cautions: 'int',
      num_caution_laps: 'int',
      num_lead_changes: 'int',
      event_laps_complete: 'int',
      event_best_lap_time: 'int',
      event_average_lap: 'int',
      driver_changes: 'boolean',
      weather: 'jsonb',
      track_state: 'jsonb',
      simsessions: 'jsonb',
      raw: 'jsonb',
    },
    touch: 'updated_at',
  },
  team: {
    table: 'team_result',
    key: ['event_result_id', 'simsession_number', 'team_id'],
    columns: { ...RESULT_COLUMNS, team_id: 'int' },
  },
  driver: {
    table: 'participant_result',
    key: ['event_result_id', 'simsession_number', 'cust_id'],
    columns: {
      ...RESULT_COLUMNS,
      cust_id: 'int',
      team_id: 'int',
      oldi_rating: 'int',
      newi_rating: 'int',
      old_license_level: 'int',
      new_license_level: 'int',
      old_sub_level: 'int',
      new_sub_level: 'int',
    },
  },
  lap: {
    table: 'lap',
    key: ['subsession_id', 'simsession_number', 'cust_id', 'lap_number'],
    columns: {
      subsession_id: 'int',
      simsession_number: 'int',
      cust_id: 'int',
      group_id: 'int',
      lap_number: 'int',
      lap_time: 'int',
      flags: 'int',
      incident: 'boolean',
      session_time: 'int',
      personal_best_lap: 'boolean',
      lap_events: 'text[]',
    },
    batchSize: 10_000,
  },
} satisfies Record<string, UpsertSpec>;

/**
 * A subsession that cannot be imported. When a dependency failed first (its schedule, the catalog), the error
 * carries that failure's endpoint and whether trying again may help, and its message says why.
 */
class ResultsError extends Error {
  readonly retryable: boolean;
  readonly endpoint?: string;

  constructor(message: string, cause?: Pick<UnitFailure, 'endpoint' | 'retryable'>) {
    super(message);
    this.retryable = cause?.retryable ?? false;
    if (cause?.endpoint) this.endpoint = cause.endpoint;
  }
}

/** What the subsessions of one call share: the catalog is fetched at most once, and why it failed, if it did. */
interface ImportState {
  catalogFetched: boolean;
  catalogFailure?: UnitFailure;
}

/**
 * Adds what a nested import (a schedule, the catalog) wrote, warned and queued to `into`, not its units: its
 * failure is not another unit of this run but the cause of the subsession's own failure, told there.
 */
function absorb(into: ImportReport, nested: ImportReport): void {
  const part = new ImportReport();
  Object.assign(part.byEntity, nested.byEntity);
  part.warnings.push(...nested.warnings);
  part.queued.push(...nested.queued);
  into.merge(part);
}

/** One `results/lap_data` call: a driver (solo race) or a team, and the drivers whose laps it brings. */
interface LapEntry {
  custId?: number;
  teamId?: number;
  custIds: number[];
}

@Injectable()
export class ResultsImporter {
  private readonly log = new Logger(ResultsImporter.name);

  constructor(
    private readonly iracing: IracingClient,
    private readonly catalog: CatalogImporter,
    private readonly seasons: SeasonsImporter,
    private readonly members: MembersImporter,
    private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** Imports subsessions, each its own unit; the catalog is fetched at most once per call. */
  async importSubsessions(ids: number[], options: SubsessionOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    const state: ImportState = { catalogFetched: false };
    // Subsessions are independent transactions: a few at once (the rate limit still paces the API calls).
    const unique = [...new Set(ids)];
    const tick = progressCounter(unique.length);
    await forEachLimit(unique, SUBSESSION_CONCURRENCY, async (id) => {
      // The unit's own report: what it wrote before failing (a season chain, the catalog) is still reported.
      const unit = new ImportReport();
      try {
        await this.importInto(unit, await this.iracing.getResult(id, options), options, state);
      } catch (err) {
        unit.fail(`subsession ${id}`, err);
      }
      report.merge(unit);
      tick();
    });
    return report;
  }

  /** The subsessions of `ids` not stored yet. */
  async missing(ids: number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = (await this.db.query(
      `SELECT x AS id FROM unnest($1::int[]) x WHERE NOT EXISTS (SELECT 1 FROM event_result WHERE subsession_id = x)
       ORDER BY x`,
      [[...new Set(ids)]],
    )) as { id: number }[];
    return rows.map((r) => r.id);
  }

  /**
   * `results/search_series` for races finished since the checkpoint (the latest `end_time` seen, less a short
   * overlap); the first search looks back RESULTS_LOOKBACK_HOURS. De-duplicated; returns the ones not stored
   * and the new checkpoint, which the caller saves with the runs that queue them (it is not moved here).
   */
  async searchNew(options: ImportOptions = {}): Promise<FoundSubsessions> {
    const report = new ImportReport();
    const [cp] = (await this.db.query('SELECT at FROM sync_checkpoint WHERE name = $1', [
      SEARCH_CHECKPOINT,
    ])) as {
      at: Date;
    }[];
    const begin = cp
      ? new Date(cp.at.getTime() - CHECKPOINT_OVERLAP_MS)
      : new Date(Date.now() - this.config.env.RESULTS_LOOKBACK_HOURS * 3_600_000);
    try {
      const found = await this.iracing.searchSeriesResults(
        { finishRangeBegin: begin, eventTypes: [RACE] },
        { refresh: true },
      );
      const ids = [...new Set(found.rows.map((r) => r.subsession_id))];
      const ends = found.rows
        .map((r) => Date.parse(r.end_time ?? r.start_time))
        .filter((t) => !Number.isNaN(t));
      const latest = ends.length ? new Date(Math.max(...ends)) : undefined;
      const missing = await this.missing(ids);
      report.add('event_result', { unchanged: ids.length - missing.length });
      report.unitsSucceeded++;
      this.log.log(
        `results since ${begin.toISOString()}: ${found.rows.length} rows, ${ids.length} subsessions, ${missing.length} new`,
      );
      return { report, subsessionIds: missing, checkpoint: options.dryRun ? undefined : latest };
    } catch (err) {
      report.fail('results/search_series', err);
      return { report, subsessionIds: [] };
    }
  }

  /** Moves the results search checkpoint forward to `at` (never back), in the caller's transaction. */
  async saveCheckpoint(em: EntityManager, at: Date): Promise<void> {
    await em.query(
      `INSERT INTO sync_checkpoint (name, at, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (name) DO UPDATE SET at = GREATEST(sync_checkpoint.at, EXCLUDED.at), updated_at = now()`,
      [SEARCH_CHECKPOINT, at],
    );
  }

  /**
   * `results/season_results` of a season (one week or all): each race is matched to its predicted instance
   * (session_id stored), an unpredicted one is created; returns the subsessions not stored yet.
   */
  async seasonResults(
    seasonId: number,
    raceWeekNum?: number,
    options: ImportOptions = {},
  ): Promise<FoundSubsessions> {
    const report = new ImportReport();
    try {
      const known = (await this.db.query('SELECT 1 FROM season WHERE season_id = $1', [
        seasonId,
      ])) as unknown[];
      if (!known.length)
        report.merge(
          Object.assign(await this.seasons.importSchedules([seasonId], options), { unitsSucceeded: 0 }),
        );
      const data = await this.iracing.getSeasonResults({ seasonId, raceWeekNum, eventType: RACE }, options);
      const rows = data.results_list.map((r) => ({
        race_week_num: r.race_week_num,
        start_time: r.start_time,
        session_id: r.session_id ?? null,
      }));
      await unitTransaction(this.db, options, async (em) => {
        const [r] = (await em.query(
          `WITH x AS (
             SELECT DISTINCT ON (e.id, g.start_time) e.id AS event_id, g.start_time, g.session_id
             FROM jsonb_to_recordset($1::jsonb) AS g(race_week_num int, start_time timestamptz, session_id int)
             JOIN race_week rw ON rw.season_id = $2 AND rw.race_week_num = g.race_week_num
             JOIN event e ON e.race_week_id = rw.id
             ORDER BY e.id, g.start_time, g.session_id
           ), w AS (
             INSERT INTO event_instance AS t (event_id, start_time, predicted, session_id)
             SELECT event_id, start_time, false, session_id FROM x
             ON CONFLICT (event_id, start_time) DO UPDATE SET session_id = EXCLUDED.session_id, updated_at = now()
             WHERE t.session_id IS DISTINCT FROM EXCLUDED.session_id AND EXCLUDED.session_id IS NOT NULL
             RETURNING (xmax = 0) AS inserted
           ) SELECT count(*) FILTER (WHERE inserted)::int AS created, count(*) FILTER (WHERE NOT inserted)::int AS updated,
                    (SELECT count(*)::int FROM x) AS matched,
                    (SELECT count(*)::int FROM jsonb_to_recordset($1::jsonb) AS g(race_week_num int)
                      WHERE NOT EXISTS (SELECT 1 FROM race_week rw JOIN event e ON e.race_week_id = rw.id
                                        WHERE rw.season_id = $2 AND rw.race_week_num = g.race_week_num)) AS unplaced
             FROM w`,
          [JSON.stringify(rows), seasonId],
        )) as { created: number; updated: number; matched: number; unplaced: number }[];
        report.add('event_instance', {
          created: r.created,
          updated: r.updated,
          unchanged: r.matched - r.created - r.updated,
        });
        // Splits of one session are several rows but one session: only rows of unknown weeks are unplaced.
        const unplaced = r.unplaced;
        if (unplaced > 0)
          report.fail(`season ${seasonId} results`, {
            message: `${unplaced} race(s) of season ${seasonId} name weeks its schedule does not list`,
            endpoint: 'results/season_results',
            retryable: false,
          });
      });
      report.unitsSucceeded++;
      return { report, subsessionIds: await this.missing(data.results_list.map((r) => r.subsession_id)) };
    } catch (err) {
      report.fail(`season ${seasonId} results`, err);
      return { report, subsessionIds: [] };
    }
  }

  // --- One subsession --------------------------------------------------------------------------------------

  /** Imports already fetched `results/get` payloads, each its own unit, a few at once. */
  async importResults(payloads: IracingResult[], options: SubsessionOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    const state: ImportState = { catalogFetched: false };
    await forEachLimit(payloads, SUBSESSION_CONCURRENCY, async (p) => {
      const unit = new ImportReport();
      try {
        await this.importInto(unit, p, options, state);
      } catch (err) {
        unit.fail(`subsession ${p.subsession_id}`, err);
      }
      report.merge(unit);
    });
    return report;
  }

  /** Imports an already fetched `results/get` payload as one unit; throws when it fails. */
  async importResult(
    payload: IracingResult,
    options: SubsessionOptions = {},
    state: ImportState = { catalogFetched: false },
  ): Promise<ImportReport> {
    const report = new ImportReport();
    await this.importInto(report, payload, options, state);
    return report;
  }

  /**
   * One subsession into `report`, which keeps what was written even when the unit then fails (the caller records
   * the failure). Its laps, when asked for, are reported per driver or team: the subsession itself has succeeded.
   */
  private async importInto(
    report: ImportReport,
    payload: IracingResult,
    options: SubsessionOptions,
    state: ImportState,
  ): Promise<void> {
    const subsessionId = payload.subsession_id;
    let bundle: SubsessionBundle;
    try {
      bundle = subsessionBundle(payload);
    } catch (err) {
      throw Object.assign(err as Error, { endpoint: 'results/get', retryable: false });
    }
    const eventId = await this.ensureChain(bundle, options, report);
    await this.ensureCatalog(bundle, options, report, state);
    const hash = contentHash(payload);
    const source = `subsession:${subsessionId}`;
    await unitTransaction(this.db, options, async (em) => {
      // A subsession's results rarely change once published: an unchanged payload is skipped unless `refresh`.
      if (!options.refresh && (await storedHash(em, source)) === hash) {
        report.unchanged('event_result', 1);
        report.unchanged('team_result', bundle.teams.length);
        report.unchanged('participant_result', bundle.drivers.length);
        return;
      }
      const instanceId = eventId === null ? null : await this.linkInstance(em, bundle, eventId, report);
      const written = await bulkUpsert(em, SPEC.event, [{ ...bundle.event, event_instance_id: instanceId }]);
      report.add('event_result', written);
      // A subsession seen for the first time has no rows to delete.
      const isNew = written.created === 1;
      const [{ id }] = (await em.query('SELECT id FROM event_result WHERE subsession_id = $1', [
        subsessionId,
      ])) as { id: number }[];
      const profiles = new Map<number, string | null>();
      for (const d of bundle.drivers)
        profiles.set(d.cust_id, d.display_name ?? profiles.get(d.cust_id) ?? null);
      report.add(
        'sim_profile',
        await this.members.ensureProfiles(
          em,
          [...profiles].map(([cust_id, display_name]) => ({
            cust_id,
            display_name: display_name ?? `Member ${cust_id}`,
          })),
        ),
      );
      const teams = bundle.teams.map((t) => ({ ...t, event_result_id: id }));
      const drivers = bundle.drivers.map((d) => ({ ...d, event_result_id: id }));
      const scope = 't.event_result_id = $2';
      if (!isNew)
        report.add('team_result', {
          deleted: await deleteMissing(
            em,
            { table: 'team_result', key: { simsession_number: 'int', team_id: 'int' }, scope },
            teams,
            id,
          ),
        });
      report.add('team_result', await bulkUpsert(em, SPEC.team, teams));
      if (!isNew)
        report.add('participant_result', {
          deleted: await deleteMissing(
            em,
            { table: 'participant_result', key: { simsession_number: 'int', cust_id: 'int' }, scope },
            drivers,
            id,
          ),
        });
      report.add('participant_result', await bulkUpsert(em, SPEC.driver, drivers));
      await storeHash(em, source, hash);
    });
    report.unitsSucceeded++;
    if (options.includeLaps) {
      try {
        await this.importLaps(bundle, options, report);
      } catch (err) {
        report.fail(`subsession ${subsessionId} laps`, err);
      }
    }
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
    const find = async () =>
      (
        (await this.db.query(
          `SELECT e.id FROM event e JOIN race_week rw ON rw.id = e.race_week_id
           WHERE rw.season_id = $1 AND rw.race_week_num = $2`,
          [seasonId, week],
        )) as { id: number }[]
      )[0]?.id ?? null;
    const found = await find();
    if (found !== null) return found;
    if (options.dryRun)
      throw new ResultsError(
        `subsession ${b.event.subsession_id}: season ${seasonId} is not stored yet, and a dry run does not create ` +
          'its chain (schedule, race week, event): sync the season (or this subsession) without dryRun first',
      );
    const imported = await this.seasons.importSchedules([seasonId], options);
    absorb(report, imported);
    const again = await find();
    if (again !== null) return again;
    // The schedule's failure (`series/season_schedule`, its season_id and HTTP status) is this unit's cause.
    const cause = imported.failures[0];
    throw new ResultsError(
      `subsession ${b.event.subsession_id}: season ${seasonId} week ${week} is not known` +
        (cause
          ? ` (its schedule could not be imported: ${cause.message})`
          : ' (its schedule does not list that week)'),
      cause,
    );
  }

  /** The EventInstance of the subsession: by session_id, else the week's session at that start (created if new). */
  private async linkInstance(
    em: EntityManager,
    b: SubsessionBundle,
    eventId: number,
    report: ImportReport,
  ): Promise<number> {
    const sessionId = b.event.session_id as number | null;
    if (sessionId !== null) {
      const bySession = (await em.query(
        'SELECT id FROM event_instance WHERE session_id = $1 AND event_id = $2 LIMIT 1',
        [sessionId, eventId],
      )) as { id: number }[];
      if (bySession.length) return bySession[0].id;
    }
    const rows = (await em.query(
      `INSERT INTO event_instance AS t (event_id, start_time, predicted, session_id)
       VALUES ($1, $2, false, $3)
       ON CONFLICT (event_id, start_time) DO UPDATE SET session_id = EXCLUDED.session_id, updated_at = now()
       WHERE t.session_id IS NULL AND EXCLUDED.session_id IS NOT NULL
       RETURNING id, (xmax = 0) AS inserted`,
      [eventId, b.event.start_time, sessionId],
    )) as { id: number; inserted: boolean }[];
    if (rows.length) {
      report.add('event_instance', rows[0].inserted ? { created: 1 } : { updated: 1 });
      return rows[0].id;
    }
    const [existing] = (await em.query(
      'SELECT id FROM event_instance WHERE event_id = $1 AND start_time = $2',
      [eventId, b.event.start_time],
    )) as { id: number }[];
    return existing.id;
  }

  /** Cars, classes and the track the subsession names, fetched through the catalog when unknown. */
  private async ensureCatalog(
    b: SubsessionBundle,
    options: ImportOptions,
    report: ImportReport,
    state: ImportState,
  ): Promise<void> {
    const find = async () =>
      (await this.db.query(
        `SELECT 'car_id ' || x AS ref FROM unnest($1::int[]) x WHERE NOT EXISTS (SELECT 1 FROM sim_car WHERE car_id = x)
         UNION ALL SELECT 'car_class_id ' || x FROM unnest($2::int[]) x
           WHERE NOT EXISTS (SELECT 1 FROM car_class WHERE car_class_id = x)
         UNION ALL SELECT 'track_id ' || $3::int WHERE NOT EXISTS (SELECT 1 FROM sim_layout WHERE track_id = $3)`,
        [b.refs.carIds, b.refs.carClassIds, b.refs.trackId],
      )) as { ref: string }[];
    let missing = await find();
    if (missing.length && !state.catalogFetched && !options.dryRun) {
      state.catalogFetched = true;
      this.log.log(
        `subsession ${b.event.subsession_id} names ${missing.length} catalog ids not stored: syncing the catalog`,
      );
      const fetched = await this.catalog.sync({ refresh: true });
      absorb(report, fetched);
      state.catalogFailure = fetched.failures[0];
      missing = await find();
      // The catalog failed, yet this subsession names nothing it lacks: told, without failing the unit.
      if (!missing.length) for (const f of fetched.failures) report.warn(f.unit, f.message, f.endpoint);
    }
    if (missing.length) {
      const cause = state.catalogFailure;
      throw new ResultsError(
        `subsession ${b.event.subsession_id} names ${missing.map((m) => m.ref).join(', ')} that the catalog does not list` +
          (cause ? ` (the catalog could not be fetched: ${cause.message})` : ''),
        cause,
      );
    }
  }

  /**
   * Laps of the main event: one `results/lap_data` call per team (team races) or driver, a few at once. A call
   * that fails is recorded as its own failure naming the driver or team, and that one's stored laps are kept;
   * the others' laps are written. `laps_at` moves only once every driver's laps were stored.
   */
  private async importLaps(b: SubsessionBundle, options: ImportOptions, report: ImportReport): Promise<void> {
    const main = 0;
    const subsessionId = b.event.subsession_id;
    const teams = b.teams.filter((t) => t.simsession_number === main);
    const drivers = b.drivers.filter((d) => d.simsession_number === main);
    const entries: LapEntry[] = teams.length
      ? teams.map((t) => ({
          teamId: t.team_id,
          custIds: drivers.filter((d) => d.team_id === t.team_id).map((d) => d.cust_id),
        }))
      : drivers.map((d) => ({ custId: d.cust_id, custIds: [d.cust_id] }));
    const laps: ReturnType<typeof lapRows> = [];
    const kept: number[] = [];
    await forEachLimit(entries, LAP_CONCURRENCY, async (e) => {
      try {
        const data = await this.iracing.getLapData(
          { subsessionId, simsessionNumber: main, custId: e.custId, teamId: e.teamId },
          options,
        );
        laps.push(...lapRows(subsessionId, main, data.rows, e.custId));
      } catch (err) {
        const who = e.teamId !== undefined ? `team_id ${e.teamId}` : `cust_id ${e.custId}`;
        report.fail(`subsession ${subsessionId} laps of ${who}`, err);
        kept.push(...e.custIds);
      }
    });
    // Integers from the checked payload, written into the scope as a literal array.
    const keep = kept.length
      ? ` AND NOT (t.cust_id = ANY('{${kept.map((c) => Math.trunc(Number(c))).join(',')}}'::int[]))`
      : '';
    await unitTransaction(this.db, options, async (em) => {
      report.add('lap', {
        deleted: await deleteMissing(
          em,
          {
            table: 'lap',
            key: { cust_id: 'int', lap_number: 'int' },
            scope: `t.subsession_id = $2 AND t.simsession_number = ${main}${keep}`,
          },
          laps,
          subsessionId,
        ),
      });
      report.add('lap', await bulkUpsert(em, SPEC.lap, laps));
      if (!kept.length)
        await em.query('UPDATE event_result SET laps_at = now() WHERE subsession_id = $1', [subsessionId]);
    });
  }
}
