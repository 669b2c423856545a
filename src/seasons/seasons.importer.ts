// Imports series, seasons and their race weeks from iRacing (docs/architecture.md §4.5): fetches `series/get`, `series/seasons`,
// past seasons and single schedules, checks and maps each season, and hands its rows to SeasonsWriter. Each season
// is one unit in one transaction, skipped by content hash unless `refresh`. Catalog ids a season refers to are
// ensured through the catalog first (CatalogRefsService); a season that still names an unknown track, car or class
// fails alone, with nothing of it written. A season known from its schedule alone takes its car classes from the
// cars its weeks allow (through the catalog's classes), and a series `series/get` does not list takes its
// category from the weeks.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CatalogRefsService } from '../catalog/catalog-refs.service.js';
import type { CatalogGaps } from '../catalog/catalog-refs.service.js';
import { forEachLimit } from '../core/concurrency.js';
import { contentHash, storedHash, storeHash } from '../core/database/payload-hash.js';
import { ImportError } from '../core/import/import-error.js';
import { ImportReport, unitTransaction } from '../core/import/import-report.js';
import type { ImportOptions } from '../core/import/import-report.js';
import { progressCounter } from '../core/import/progress.js';
import { IracingClient } from '../iracing/iracing.client.js';
import { checkPart, seasonDetail } from '../iracing/iracing.payloads.js';
import type { IracingRaceWeek, IracingSeason } from '../iracing/iracing.payloads.js';
import { namesNoClass } from './season-classes.js';
import type { CarClassMembers } from './season-classes.js';
import {
  orderEventClasses,
  seasonBundle,
  seasonRefs,
  seriesRow,
  stableSeasonPayload,
} from './seasons.mapping.js';
import type { SeasonBundle } from './seasons.mapping.js';
import { weatherLinks, SeasonsWriter } from './seasons.writer.js';

export interface SeasonsSyncOptions extends ImportOptions {
  /** Also import past seasons (`series/past_seasons` + each one's schedule). */
  includePast?: boolean;
  seasonYear?: number;
  seasonQuarter?: number;
  seriesIds?: number[];
  /** Only these seasons. */
  seasonIds?: number[];
  /** At most this many seasons (current first, then past). */
  limit?: number;
}

/** Whether the sync imports this season (all when no seasonIds are given). */
const keepSeason = (options: SeasonsSyncOptions, seasonId: number) =>
  !options.seasonIds?.length || options.seasonIds.includes(seasonId);

/** Season transactions run at once (each on its own connection). */
const SEASON_CONCURRENCY = 3;

const ENTITIES = {
  weeks: 'race_week',
  restrictions: 'car_restriction',
  classes: 'event_class',
  instances: 'event_instance',
} as const;

type PastSeasonMeta = Awaited<ReturnType<IracingClient['getPastSeasons']>>['series']['seasons'][number];

/** The catalog facts the seasons of one import are mapped with. */
interface MappingContext {
  missing: CatalogGaps;
  speeds: Map<number, number>;
  members: CarClassMembers;
}

@Injectable()
export class SeasonsImporter {
  constructor(
    private readonly iracing: IracingClient,
    private readonly catalog: CatalogRefsService,
    private readonly writer: SeasonsWriter,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** `series/get`, then the current and future seasons (or one quarter's), then past seasons when asked. */
  async sync(options: SeasonsSyncOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    const wanted = options.seriesIds?.length ? new Set(options.seriesIds) : undefined;
    const keep = (seriesId: number) => !wanted || wanted.has(seriesId);
    let seriesIds: number[] = [];
    try {
      const series = (await this.iracing.getSeries(options)).filter((s) => keep(s.series_id));
      seriesIds = series.map((s) => s.series_id);
      report.merge(await this.importSeries(series, options));
    } catch (err) {
      report.fail('series', err);
    }
    const current = new Set<number>();
    let budget = options.limit ?? Number.POSITIVE_INFINITY;
    try {
      const envelopes = await this.iracing.getSeasons(
        { seasonYear: options.seasonYear, seasonQuarter: options.seasonQuarter },
        options,
      );
      for (const env of envelopes) current.add(env.season_id);
      const seasons: IracingSeason[] = [];
      envelopes.forEach((env, i) => {
        if (!keep(env.series_id) || !keepSeason(options, env.season_id) || seasons.length >= budget) return;
        try {
          seasons.push(checkPart('series/seasons', `[${i}]`, env, seasonDetail));
        } catch (err) {
          report.fail(`season ${env.season_id}`, err);
        }
      });
      budget -= seasons.length;
      report.merge(await this.importSeasons(seasons, options));
    } catch (err) {
      report.fail('series/seasons', err);
    }
    if (options.includePast)
      report.merge(await this.syncPast(wanted ? [...wanted] : seriesIds, budget, options, current));
    return report;
  }

  /** Past seasons of each series: schedules fetched only for seasons not yet stored as complete. */
  async syncPast(
    seriesIds: number[],
    limit: number,
    options: SeasonsSyncOptions = {},
    /** Seasons this run already imported from `series/seasons` (richer than the past-seasons path). */
    skip: ReadonlySet<number> = new Set(),
  ): Promise<ImportReport> {
    const report = new ImportReport();
    let budget = limit;
    for (const seriesId of seriesIds) {
      if (budget <= 0) break;
      try {
        const past = await this.iracing.getPastSeasons(seriesId, options);
        const stored = options.refresh
          ? new Set<number>()
          : await this.completeSeasons(past.series.seasons.map((s) => s.season_id));
        for (const meta of past.series.seasons) {
          if (budget <= 0) break;
          // The running (and next) season is series/seasons' to import: `past_seasons` lists it too.
          if (meta.active === true || skip.has(meta.season_id) || !keepSeason(options, meta.season_id))
            continue;
          if (stored.has(meta.season_id)) {
            report.unchanged('season', 1);
            continue;
          }
          budget--;
          try {
            report.merge(await this.importSeasons([await this.pastSeason(meta, options)], options));
          } catch (err) {
            report.fail(`season ${meta.season_id}`, err);
          }
        }
      } catch (err) {
        report.fail(`past seasons of series ${seriesId}`, err);
      }
    }
    return report;
  }

  /** Fetches and imports seasons by id through `series/season_schedule` (seasons the race guide names). */
  async importSchedules(seasonIds: number[], options: ImportOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    for (const seasonId of seasonIds) {
      try {
        const schedule = await this.iracing.getSeasonSchedule(seasonId, options);
        const first = schedule.schedules[0] as (IracingRaceWeek & Record<string, unknown>) | undefined;
        if (!first)
          throw ImportError.badData(
            'series/season_schedule',
            `season ${seasonId}: series/season_schedule lists no weeks`,
            { params: { season_id: seasonId } },
          );
        const season = checkPart(
          'series/season_schedule',
          '',
          {
            season_id: schedule.season_id,
            series_id: first.series_id,
            season_name: first.season_name,
            schedules: schedule.schedules,
          },
          seasonDetail,
        );
        report.merge(await this.importSeasons([season], options));
      } catch (err) {
        report.fail(`season ${seasonId}`, err);
      }
    }
    return report;
  }

  /**
   * Imports the schedules of the seasons among `seasonIds` that are not stored yet, so what names them (the race
   * guide, season results, a subsession) can be placed in its week. A dependency of the caller's import: merge
   * it with `{ units: false }`.
   */
  async ensureSeasons(seasonIds: number[], options: ImportOptions = {}): Promise<ImportReport> {
    const unknown = (
      (await this.db.query(
        'SELECT x AS season_id FROM unnest($1::int[]) x WHERE NOT EXISTS (SELECT 1 FROM season WHERE season_id = x)',
        [[...new Set(seasonIds)]],
      )) as { season_id: number }[]
    ).map((r) => r.season_id);
    return unknown.length ? this.importSchedules(unknown, options) : new ImportReport();
  }

  /**
   * Imports checked seasons, one transaction each. A season's rows (its sessions above all: thousands per
   * season) are mapped just before its transaction and dropped after it, so memory holds a few seasons' rows
   * at a time, not the whole sync's; only the catalog ids the seasons name are gathered beforehand.
   */
  async importSeasons(seasons: IracingSeason[], options: ImportOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    if (seasons.length === 0) return report;
    const context = await this.mappingContext(seasons, options, report);
    // Seasons are independent transactions: a few at once keep PostgreSQL and this process both busy.
    const tick = progressCounter(seasons.length);
    await forEachLimit(seasons, SEASON_CONCURRENCY, async (season) => {
      try {
        const bundle = this.mapSeason(season, context, options);
        // Classes taken from the catalog are part of what is written: a changed class membership rewrites them.
        const hash = bundle.derivedClasses
          ? contentHash(stableSeasonPayload(season), bundle.derivedClasses)
          : contentHash(stableSeasonPayload(season));
        report.merge(await this.importBundle(bundle, hash, options));
      } catch (err) {
        report.fail(`season ${season.season_id}`, err);
      }
      tick();
    });
    return report;
  }

  async importSeries(
    series: Parameters<typeof seriesRow>[0][],
    options: ImportOptions = {},
  ): Promise<ImportReport> {
    const report = new ImportReport();
    const rows = series.map(seriesRow);
    await unitTransaction(this.db, options, async (em) => {
      report.add('series', await this.writer.writeSeries(em, rows));
    });
    report.unitsSucceeded++;
    return report;
  }

  /** A past season as `series/past_seasons` lists it, with its schedule fetched, checked as a season. */
  private async pastSeason(meta: PastSeasonMeta, options: ImportOptions): Promise<IracingSeason> {
    const schedule = await this.iracing.getSeasonSchedule(meta.season_id, options);
    const m = meta as Record<string, unknown>;
    const classes = Array.isArray(m.car_classes) ? (m.car_classes as { car_class_id?: unknown }[]) : [];
    return checkPart(
      'series/past_seasons',
      `series.seasons[${meta.season_id}]`,
      {
        ...m,
        complete: m.complete ?? m.active === false,
        car_class_ids: m.car_class_ids ?? classes.map((c) => c.car_class_id),
        schedules: schedule.schedules,
      },
      seasonDetail,
    );
  }

  private async completeSeasons(ids: number[]): Promise<Set<number>> {
    const rows = (await this.db.query(
      'SELECT season_id FROM season WHERE season_id = ANY($1::int[]) AND complete',
      [ids],
    )) as { season_id: number }[];
    return new Set(rows.map((r) => r.season_id));
  }

  /**
   * The catalog facts the seasons are mapped with: the catalog ensured to know what they name (its sync's counts
   * and failure are this run's), the relative speeds of their classes and, for seasons that name no class, the
   * catalog's classes of their cars.
   */
  private async mappingContext(
    seasons: IracingSeason[],
    options: ImportOptions,
    report: ImportReport,
  ): Promise<MappingContext> {
    const refs = seasons.map((s) => seasonRefs(s));
    const ensured = await this.catalog.ensureKnown(
      {
        trackIds: refs.flatMap((r) => r.trackIds),
        carIds: refs.flatMap((r) => r.carIds),
        carClassIds: refs.flatMap((r) => r.carClassIds),
      },
      { dryRun: options.dryRun, by: `${seasons.length} season(s)` },
    );
    // The catalog's failure is reported; the seasons it would serve fail below, naming what is missing.
    if (ensured.fetched) report.merge(ensured.fetched, { units: false });
    const classIds = seasons.flatMap((s) => [
      ...(s.car_class_ids ?? []),
      ...(s.schedules ?? []).flatMap((w) => w.race_week_car_class_ids ?? []),
    ]);
    const speeds = await this.catalog.relativeSpeeds(classIds);
    // A season whose payload names no class (known from its schedule alone) takes them from its cars.
    const classes = await this.catalog.classesOfCars(
      seasons.flatMap((s, i) => (namesNoClass(s) ? refs[i].carIds : [])),
    );
    for (const c of classes) speeds.set(c.carClassId, c.relativeSpeed);
    const members = new Map(classes.map((c) => [c.carClassId, c.carIds]));
    return { missing: ensured.missing, speeds, members };
  }

  /** Maps one season; fails it, with nothing written, when it names what the catalog lacks or cannot be mapped. */
  private mapSeason(season: IracingSeason, context: MappingContext, options: ImportOptions): SeasonBundle {
    const unknown = context.missing.describe(seasonRefs(season));
    if (unknown)
      throw ImportError.badData(
        undefined,
        `season ${season.season_id} names ${unknown} that the catalog does not list` +
          (options.dryRun ? ' (a dry run does not fetch the catalog)' : ''),
      );
    let bundle: SeasonBundle;
    try {
      bundle = seasonBundle(season, context.members);
    } catch (err) {
      // A season that cannot be mapped fails the same way on every attempt.
      throw ImportError.from(err, { retryable: false });
    }
    orderEventClasses(bundle, (id) => context.speeds.get(id) ?? 0);
    return bundle;
  }

  private async importBundle(b: SeasonBundle, hash: string, options: ImportOptions): Promise<ImportReport> {
    const report = new ImportReport();
    const source = `season:${b.season.season_id}`;
    await unitTransaction(this.db, options, async (em) => {
      if (!options.refresh && (await storedHash(em, source)) === hash) {
        report.unchanged('season', 1);
        for (const [key, entity] of Object.entries(ENTITIES))
          report.unchanged(entity, b[key as keyof typeof ENTITIES].length);
        report.unchanged('event', b.weeks.length);
        await this.writer.storeWeatherLinks(em, b.season.season_id, weatherLinks(b));
        return;
      }
      await this.writer.writeBundle(em, b, report);
      await storeHash(em, source, hash);
    });
    report.unitsSucceeded++;
    return report;
  }
}
