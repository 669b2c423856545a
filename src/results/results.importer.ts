// Imports results (docs/architecture.md §4.5): subsessions (`results/get`), each one unit in one transaction
// (subsession.importer.ts), a few at once, with their laps on demand (laps.importer.ts). Finished sessions are found
// through `results/search_series` from a stored checkpoint, and `results/season_results` names a week's
// subsessions and places them on their sessions (SessionsService). What a search finds is returned for the caller
// to queue, never imported here.
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { forEachLimit } from '../core/concurrency.js';
import { bulkUpsert, entityUpserts } from '../core/database/bulk-upsert.js';
import { AppConfig } from '../core/config/app-config.js';
import { ImportError } from '../core/import/import-error.js';
import { ImportReport, unitTransaction } from '../core/import/import-report.js';
import type { ImportOptions } from '../core/import/import-report.js';
import { progressCounter } from '../core/import/progress.js';
import { IracingClient } from '../iracing/iracing.client.js';
import type { IracingResult, SeasonResultsData } from '../iracing/iracing.payloads.js';
import { SeasonsImporter } from '../seasons/seasons.importer.js';
import { SessionsService } from '../seasons/sessions.service.js';
import { SeasonResultSplit } from './entities/season-result-split.entity.js';
import { measure } from './results.mapping.js';
import { newRunState, SubsessionImporter } from './subsession.importer.js';
import type { SubsessionOptions, SubsessionRunState } from './subsession.importer.js';

export type { SubsessionOptions } from './subsession.importer.js';

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
const SPLITS = entityUpserts({
  split: { entity: SeasonResultSplit, key: ['subsession_id'] },
});
/** Searches start this long before the checkpoint: results published a little after their finish are not missed. */
const CHECKPOINT_OVERLAP_MS = 15 * 60_000;
const RACE = 5;
/** Subsession transactions run at once. */
const SUBSESSION_CONCURRENCY = 3;

@Injectable()
export class ResultsImporter {
  private readonly log = new Logger(ResultsImporter.name);

  constructor(
    private readonly iracing: IracingClient,
    private readonly subsessions: SubsessionImporter,
    private readonly seasons: SeasonsImporter,
    private readonly sessions: SessionsService,
    private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** Imports subsessions, each its own unit; the catalog is fetched at most once per call. */
  async importSubsessions(ids: number[], options: SubsessionOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    const state = newRunState();
    // Subsessions are independent transactions: a few at once (the rate limit still paces the API calls).
    const unique = [...new Set(ids)];
    const tick = progressCounter(unique.length);
    await forEachLimit(unique, SUBSESSION_CONCURRENCY, async (id) => {
      // The unit's own report: what it wrote before failing (a season chain, the catalog) is still reported.
      const unit = new ImportReport();
      try {
        await this.subsessions.importInto(unit, await this.iracing.getResult(id, options), options, state);
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
      report.merge(await this.seasons.ensureSeasons([seasonId], options), { units: false });
      const data = await this.iracing.getSeasonResults({ seasonId, raceWeekNum, eventType: RACE }, options);
      const sessions = data.results_list.map((r) => ({
        race_week_num: r.race_week_num,
        start_time: r.start_time,
        session_id: r.session_id ?? null,
      }));
      await unitTransaction(this.db, options, async (em) => {
        const stored = await this.sessions.ensureSessions(em, seasonId, sessions);
        report.add('event_instance', stored.counts);
        report.add('season_result_split', await this.storeSplits(em, seasonId, data.results_list));
        // Splits of one session are several rows but one session: only rows of unknown weeks are unplaced.
        if (stored.unplaced > 0)
          report.fail(
            `season ${seasonId} results`,
            ImportError.badData(
              'results/season_results',
              `${stored.unplaced} race(s) of season ${seasonId} name weeks its schedule does not list`,
              { params: { season_id: seasonId, race_week_num: raceWeekNum } },
            ),
          );
      });
      report.unitsSucceeded++;
      return { report, subsessionIds: await this.missing(data.results_list.map((r) => r.subsession_id)) };
    } catch (err) {
      report.fail(`season ${seasonId} results`, err);
      return { report, subsessionIds: [] };
    }
  }

  /**
   * Participation only: the splits `results/season_results` lists for one week of each season, stored in one
   * transaction per season, a few seasons at once; no session is matched and no subsession queued. Without
   * `seasonIds`, every active season; without `raceWeekNum`, each season's latest week that has ended.
   */
  async participation(
    seasonIds: number[] | undefined,
    raceWeekNum: number | undefined,
    options: ImportOptions = {},
  ): Promise<ImportReport> {
    const report = new ImportReport();
    const weeks = (await this.db.query(
      `SELECT s.season_id, COALESCE($2::int,
                (SELECT max(rw.race_week_num) FROM race_week rw WHERE rw.season_id = s.season_id AND rw.end_time <= now())
              ) AS week
       FROM season s WHERE CASE WHEN $1::int[] IS NULL THEN s.active ELSE s.season_id = ANY($1::int[]) END
       ORDER BY s.season_id`,
      [seasonIds ?? null, raceWeekNum ?? null],
    )) as { season_id: number; week: number | null }[];
    for (const id of seasonIds ?? [])
      if (!weeks.some((w) => w.season_id === id))
        report.fail(
          `season ${id} participation`,
          ImportError.badData('season', `season ${id} is not stored`),
        );
    await forEachLimit(
      weeks.filter((w) => w.week !== null),
      SUBSESSION_CONCURRENCY,
      async ({ season_id: seasonId, week }) => {
        try {
          const data = await this.iracing.getSeasonResults(
            { seasonId, raceWeekNum: week as number, eventType: RACE },
            options,
          );
          report.merge(await this.importSplits(seasonId, data.results_list, options));
        } catch (err) {
          report.fail(`season ${seasonId} participation`, err);
        }
      },
    );
    return report;
  }

  /** Stores already fetched splits of one season (one `results/season_results` answer) as one unit. */
  async importSplits(
    seasonId: number,
    list: SeasonResultsData['results_list'],
    options: ImportOptions = {},
  ): Promise<ImportReport> {
    const report = new ImportReport();
    await unitTransaction(this.db, options, async (em) => {
      report.add('season_result_split', await this.storeSplits(em, seasonId, list));
    });
    report.unitsSucceeded++;
    return report;
  }

  /** Every split as listed: participation is counted from them (-1, "not applicable", stored as null). */
  private storeSplits(em: EntityManager, seasonId: number, list: SeasonResultsData['results_list']) {
    const splits = list.map((r) => ({
      subsession_id: r.subsession_id,
      season_id: seasonId,
      race_week_num: r.race_week_num,
      session_id: r.session_id ?? null,
      start_time: r.start_time,
      num_drivers: measure(r.num_drivers),
      strength_of_field: measure(r.event_strength_of_field),
    }));
    return bulkUpsert(em, SPLITS(this.db).split, splits);
  }

  // --- One subsession --------------------------------------------------------------------------------------

  /** Imports already fetched `results/get` payloads, each its own unit, a few at once. */
  async importResults(payloads: IracingResult[], options: SubsessionOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    const state = newRunState();
    await forEachLimit(payloads, SUBSESSION_CONCURRENCY, async (p) => {
      const unit = new ImportReport();
      try {
        await this.subsessions.importInto(unit, p, options, state);
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
    state: SubsessionRunState = newRunState(),
  ): Promise<ImportReport> {
    const report = new ImportReport();
    await this.subsessions.importInto(report, payload, options, state);
    return report;
  }
}
