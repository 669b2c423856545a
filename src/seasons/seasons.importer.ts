// Imports series, seasons and their race weeks from iRacing (DESIGN §4): each season is one unit in one
// transaction, written set-based (a statement per table, not per row), skipped by content hash unless `refresh`.
// Catalog ids a season refers to are fetched through the catalog first; a season that still names an unknown
// track, car or class fails alone, with nothing of it written. Restrictions, classes and predicted sessions that
// disappear upstream are deleted; every BOP difference from the previous sync is kept as history. A season known
// from its schedule alone takes its car classes from the cars its weeks allow (through the catalog's classes),
// and a series `series/get` does not list takes its category from the weeks.
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { CatalogImporter } from '../catalog/catalog.importer.js';
import { forEachLimit } from '../core/concurrency.js';
import { progressCounter } from '../core/import/progress.js';
import { bulkUpsert, deleteMissing } from '../core/database/bulk-upsert.js';
import type { DeleteMissingSpec, UpsertSpec } from '../core/database/bulk-upsert.js';
import { contentHash, storedHash, storeHash } from '../core/database/payload-hash.js';
import { ImportReport, unitTransaction } from '../core/import/import-report.js';
import type { ImportOptions } from '../core/import/import-report.js';
import { IracingClient } from '../iracing/iracing.client.js';
import { checkPart, seasonDetail } from '../iracing/iracing.payloads.js';
import type { IracingRaceWeek, IracingSeason } from '../iracing/iracing.payloads.js';
import {
  namesNoClass,
  orderEventClasses,
  RESTRICTION_VALUES,
  seasonBundle,
  seasonRefs,
  seriesRow,
  stableSeasonPayload,
} from './seasons.mapping.js';
import type { CarClassMembers, SeasonBundle } from './seasons.mapping.js';

export interface SeasonsSyncOptions extends ImportOptions {
  /** Also import past seasons (`series/past_seasons` + each one's schedule). */
  includePast?: boolean;
  seasonYear?: number;
  seasonQuarter?: number;
  seriesIds?: number[];
  /** At most this many seasons (current first, then past). */
  limit?: number;
}

const SPEC = {
  series: {
    table: 'series',
    key: ['series_id'],
    columns: {
      series_id: 'int',
      name: 'text',
      short_name: 'text',
      category: 'text',
      category_id: 'int',
      eligible: 'boolean',
      min_starters: 'int',
      max_starters: 'int',
      forum_url: 'text',
      allowed_licenses: 'jsonb',
      raw: 'jsonb',
    },
    touch: 'updated_at',
  },
  season: {
    table: 'season',
    key: ['season_id'],
    columns: {
      season_id: 'int',
      series_id: 'int',
      name: 'text',
      short_name: 'text',
      year: 'int',
      quarter: 'int',
      active: 'boolean',
      complete: 'boolean',
      official: 'boolean',
      multiclass: 'boolean',
      fixed_setup: 'boolean',
      license_group: 'int',
      car_class_ids: 'int[]',
      drops: 'int',
      max_weeks: 'int',
      current_race_week: 'int',
      start_date: 'timestamptz',
      schedule_description: 'text',
      driver_changes: 'boolean',
      raw: 'jsonb',
    },
    touch: 'updated_at',
  },
  raceWeek: {
    table: 'race_week',
    key: ['season_id', 'race_week_num'],
    columns: {
      season_id: 'int',
      series_id: 'int',
      race_week_num: 'int',
      track_id: 'int',
      start_time: 'timestamptz',
      end_time: 'timestamptz',
      category: 'text',
      schedule_name: 'text',
      race_lap_limit: 'int',
      race_time_limit: 'int',
      practice_length: 'int',
      qualify_length: 'int',
      qualify_laps: 'int',
      warmup_length: 'int',
      start_type: 'text',
      restart_type: 'text',
      car_class_ids: 'int[]',
      car_ids: 'int[]',
      race_time_descriptors: 'jsonb',
      track_state: 'jsonb',
      weather: 'jsonb',
      weather_version: 'int',
      weather_summary: 'jsonb',
      raw: 'jsonb',
    },
    touch: 'updated_at',
  },
  event: {
    table: 'event',
    key: ['race_week_id'],
    columns: { race_week_id: 'int', kind: 'text', series_id: 'int', season_id: 'int', track_id: 'int' },
    touch: 'updated_at',
  },
  restriction: {
    table: 'car_restriction',
    key: ['race_week_id', 'car_id'],
    columns: {
      race_week_id: 'int',
      car_id: 'int',
      max_dry_tire_sets: 'int',
      max_pct_fuel_fill: 'double precision',
      power_adjust_pct: 'double precision',
      weight_penalty_kg: 'double precision',
      race_setup_id: 'int',
      qual_setup_id: 'int',
    },
    touch: 'updated_at',
  },
  eventClass: {
    table: 'event_class',
    key: ['event_id', 'car_class_id'],
    columns: { event_id: 'int', car_class_id: 'int', position: 'int', car_ids: 'int[]' },
  },
  instance: {
    table: 'event_instance',
    key: ['event_id', 'start_time'],
    columns: {
      event_id: 'int',
      start_time: 'timestamptz',
      end_time: 'timestamptz',
      session_minutes: 'int',
      super_session: 'boolean',
      predicted: 'boolean',
    },
    touch: 'updated_at',
    batchSize: 20_000,
    columnar: true,
  },
} satisfies Record<string, UpsertSpec>;

/** Season transactions run at once (each on its own connection). */
const SEASON_CONCURRENCY = 3;

const ENTITIES = {
  weeks: 'race_week',
  restrictions: 'car_restriction',
  classes: 'event_class',
  instances: 'event_instance',
} as const;

/** Catalog ids a set of seasons refers to that the database does not hold. */
interface MissingRefs {
  tracks: Set<number>;
  cars: Set<number>;
  classes: Set<number>;
}

class UnknownReferenceError extends Error {
  readonly retryable = false;
}

/** A season that cannot be mapped fails the same way on every attempt. */
const notRetryable = (err: unknown) => Object.assign(err as Error, { retryable: false });

@Injectable()
export class SeasonsImporter {
  private readonly log = new Logger(SeasonsImporter.name);

  constructor(
    private readonly iracing: IracingClient,
    private readonly catalog: CatalogImporter,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** `series/get`, then the current and future seasons (or one quarter's), then past seasons when asked. */
  async sync(options: SeasonsSyncOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    const wanted = options.seriesIds?.length ? new Set(options.seriesIds) : undefined;
    let budget = options.limit ?? Number.POSITIVE_INFINITY;

    let seriesIds: number[] = [];
    try {
      const series = await this.iracing.getSeries(options);
      seriesIds = series.map((s) => s.series_id).filter((id) => !wanted || wanted.has(id));
      report.merge(
        await this.importSeries(
          series.filter((s) => !wanted || wanted.has(s.series_id)),
          options,
        ),
      );
    } catch (err) {
      report.fail('series', err);
    }

    const current = new Set<number>();
    try {
      const envelopes = await this.iracing.getSeasons(
        { seasonYear: options.seasonYear, seasonQuarter: options.seasonQuarter },
        options,
      );
      for (const env of envelopes) current.add(env.season_id);
      const seasons: IracingSeason[] = [];
      envelopes.forEach((env, i) => {
        if ((wanted && !wanted.has(env.series_id)) || seasons.length >= budget) return;
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

    if (options.includePast) {
      report.merge(await this.syncPast(wanted ? [...wanted] : seriesIds, budget, options, current));
    }
    return report;
  }

  /** Past seasons of each series: schedules fetched only for seasons not yet stored as complete. */
  async syncPast(
    seriesIds: number[],
    limit: number,
    options: ImportOptions = {},
    /** Seasons this run already imported from `series/seasons` (richer than the past-seasons path). */
    skip: ReadonlySet<number> = new Set(),
  ): Promise<ImportReport> {
    const report = new ImportReport();
    let budget = limit;
    for (const seriesId of seriesIds) {
      if (budget <= 0) break;
      try {
        const past = await this.iracing.getPastSeasons(seriesId, options);
        const ids = past.series.seasons.map((s) => s.season_id);
        const stored = options.refresh
          ? new Set<number>()
          : new Set(
              (
                (await this.db.query(
                  'SELECT season_id FROM season WHERE season_id = ANY($1::int[]) AND complete',
                  [ids],
                )) as { season_id: number }[]
              ).map((r) => r.season_id),
            );
        for (const meta of past.series.seasons) {
          if (budget <= 0) break;
          // The running (and next) season is series/seasons' to import: `past_seasons` lists it too.
          if (meta.active === true || skip.has(meta.season_id)) continue;
          if (stored.has(meta.season_id)) {
            report.unchanged('season', 1);
            continue;
          }
          budget--;
          try {
            const schedule = await this.iracing.getSeasonSchedule(meta.season_id, options);
            const m = meta as Record<string, unknown>;
            const classes = Array.isArray(m.car_classes)
              ? (m.car_classes as { car_class_id?: unknown }[])
              : [];
            const season = checkPart(
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
            report.merge(await this.importSeasons([season], options));
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
        const first = schedule.schedules[0] as IracingRaceWeek | undefined;
        if (!first)
          throw new UnknownReferenceError(`season ${seasonId}: series/season_schedule lists no weeks`);
        const season = checkPart(
          'series/season_schedule',
          '',
          {
            season_id: schedule.season_id,
            series_id: first.series_id ?? (first as Record<string, unknown>).series_id,
            season_name: (first as Record<string, unknown>).season_name,
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
   * Imports checked seasons, one transaction each. A season's rows (its sessions above all: thousands per
   * season) are mapped just before its transaction and dropped after it, so memory holds a few seasons' rows
   * at a time, not the whole sync's; only the catalog ids the seasons name are gathered beforehand.
   */
  async importSeasons(seasons: IracingSeason[], options: ImportOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    if (seasons.length === 0) return report;
    const mappable = seasons.map((season) => ({ season, refs: seasonRefs(season) }));
    const missing = await this.ensureCatalog(
      mappable.map((m) => m.refs),
      options,
      report,
    );
    const speeds = await this.relativeSpeeds(seasons);
    // A season whose payload names no class (known from its schedule alone) takes them from its cars.
    const members = await this.classesOfCars(
      mappable.filter((m) => namesNoClass(m.season)).flatMap((m) => m.refs.carIds),
      speeds,
    );
    // Seasons are independent transactions: a few at once keep PostgreSQL and this process both busy.
    const tick = progressCounter(mappable.length);
    await forEachLimit(mappable, SEASON_CONCURRENCY, async ({ season, refs }) => {
      try {
        this.assertKnown(season.season_id, refs, missing, options);
        let bundle: SeasonBundle;
        try {
          bundle = seasonBundle(season, members);
        } catch (err) {
          throw notRetryable(err);
        }
        orderEventClasses(bundle, (id) => speeds.get(id) ?? 0);
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
      report.add('series', await bulkUpsert(em, SPEC.series, rows));
    });
    report.unitsSucceeded++;
    return report;
  }

  // --- One season ------------------------------------------------------------------------------------------

  private async importBundle(b: SeasonBundle, hash: string, options: ImportOptions): Promise<ImportReport> {
    const report = new ImportReport();
    const seasonId = b.season.season_id;
    const source = `season:${seasonId}`;
    await unitTransaction(this.db, options, async (em) => {
      if (!options.refresh && (await storedHash(em, source)) === hash) {
        report.unchanged('season', 1);
        for (const [key, entity] of Object.entries(ENTITIES))
          report.unchanged(entity, b[key as keyof typeof ENTITIES].length);
        report.unchanged('event', b.weeks.length);
        await this.updateWeatherLinks(em, b);
        return;
      }
      await this.writeBundle(em, b, report);
      await storeHash(em, source, hash);
    });
    report.unitsSucceeded++;
    return report;
  }

  private async writeBundle(em: EntityManager, b: SeasonBundle, report: ImportReport): Promise<void> {
    const seasonId = b.season.season_id;
    // A series `series/get` does not list (a retired one) is known from its schedule: its category from its weeks.
    const [series] = (await em.query(
      `INSERT INTO series AS s (series_id, name, category, category_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (series_id) DO UPDATE SET category = EXCLUDED.category, category_id = EXCLUDED.category_id,
         updated_at = now()
       WHERE s.category IS NULL AND EXCLUDED.category IS NOT NULL
       RETURNING (xmax = 0) AS inserted`,
      [b.series.series_id, b.series.name, b.series.category, b.series.category_id],
    )) as { inserted: boolean }[];
    if (series) report.add('series', series.inserted ? { created: 1 } : { updated: 1 });
    report.add('season', await bulkUpsert(em, SPEC.season, [b.season]));
    report.add('race_week', await bulkUpsert(em, SPEC.raceWeek, b.weeks));
    await this.updateWeatherLinks(em, b);
    report.add('race_week', {
      deleted: await deleteMissing(
        em,
        { table: 'race_week', key: { race_week_num: 'int' }, scope: 't.season_id = $2' },
        b.weeks,
        seasonId,
      ),
    });

    const weeks = (await em.query(
      'SELECT id, race_week_num, created_at < now() AS existed FROM race_week WHERE season_id = $1',
      [seasonId],
    )) as { id: number; race_week_num: number; existed: boolean }[];
    const weekId = new Map(weeks.map((w) => [w.race_week_num, w.id]));
    const week = (num: number) => weekId.get(num) as number;

    report.add(
      'event',
      await bulkUpsert(
        em,
        SPEC.event,
        b.weeks.map((w) => ({
          race_week_id: week(w.race_week_num),
          kind: 'SERIES',
          series_id: w.series_id,
          season_id: seasonId,
          track_id: w.track_id,
        })),
      ),
    );
    const events = (await em.query('SELECT id, race_week_id FROM event WHERE season_id = $1', [
      seasonId,
    ])) as { id: number; race_week_id: number }[];
    const eventOfWeek = new Map(events.map((e) => [e.race_week_id, e.id]));
    const event = (num: number) => eventOfWeek.get(week(num)) as number;

    const restrictions = b.restrictions.map((r) => {
      const { race_week_num, ...rest } = r;
      return { ...rest, race_week_id: week(race_week_num) };
    });
    // A season seen for the first time has nothing to delete and no history to record.
    const existing = weeks.filter((w) => w.existed).map((w) => w.id);
    const removeMissing = (spec: DeleteMissingSpec, keep: Record<string, unknown>[]) =>
      existing.length ? deleteMissing(em, spec, keep, seasonId) : Promise.resolve(0);
    await this.recordRestrictionChanges(em, existing, restrictions);
    const inSeason = 't.race_week_id IN (SELECT id FROM race_week WHERE season_id = $2)';
    report.add('car_restriction', {
      deleted: await removeMissing(
        { table: 'car_restriction', key: { race_week_id: 'int', car_id: 'int' }, scope: inSeason },
        restrictions,
      ),
    });
    report.add('car_restriction', await bulkUpsert(em, SPEC.restriction, restrictions));

    const eventsInSeason = 't.event_id IN (SELECT id FROM event WHERE season_id = $2)';
    const classes = b.classes.map((c) => ({
      event_id: event(c.race_week_num),
      car_class_id: c.car_class_id,
      position: c.position,
      car_ids: c.car_ids,
    }));
    report.add('event_class', {
      deleted: await removeMissing(
        { table: 'event_class', key: { event_id: 'int', car_class_id: 'int' }, scope: eventsInSeason },
        classes,
      ),
    });
    report.add('event_class', await bulkUpsert(em, SPEC.eventClass, classes));

    const instances = b.instances.map((i) => ({
      event_id: event(i.race_week_num),
      start_time: i.start_time,
      end_time: i.end_time,
      session_minutes: i.session_minutes,
      super_session: i.super_session,
      predicted: true,
    }));
    // Sessions the race guide has listed (or results will name) stay, even when the schedule drops them.
    report.add('event_instance', {
      deleted: await removeMissing(
        {
          table: 'event_instance',
          key: { event_id: 'int', start_time: 'timestamptz' },
          scope: `${eventsInSeason} AND t.predicted AND t.session_id IS NULL`,
        },
        instances,
      ),
    });
    report.add('event_instance', await bulkUpsert(em, SPEC.instance, instances));
    await em.query('UPDATE series SET official = $2 WHERE series_id = $1 AND official IS DISTINCT FROM $2', [
      b.series.series_id,
      b.season.official,
    ]);
  }

  /**
   * One history row per difference between the stored restrictions of weeks that existed before this sync and
   * the incoming ones: a car added, removed, or with any BOP value changed.
   */
  private async recordRestrictionChanges(
    em: EntityManager,
    existingWeekIds: number[],
    incoming: Record<string, unknown>[],
  ): Promise<void> {
    if (existingWeekIds.length === 0) return;
    const cols = RESTRICTION_VALUES;
    const values = (alias: string) =>
      `jsonb_build_object(${cols.map((c) => `'${c}', ${alias}.${c}`).join(', ')})`;
    const tuple = (alias: string) => `(${cols.map((c) => `${alias}.${c}`).join(', ')})`;
    await em.query(
      `WITH i AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(race_week_id int, car_id int, max_dry_tire_sets int,
           max_pct_fuel_fill double precision, power_adjust_pct double precision,
           weight_penalty_kg double precision, race_setup_id int, qual_setup_id int)
         WHERE x.race_week_id = ANY($2::int[])
       ), o AS (SELECT * FROM car_restriction WHERE race_week_id = ANY($2::int[]))
       INSERT INTO car_restriction_change (race_week_id, car_id, change, before, after)
       SELECT COALESCE(i.race_week_id, o.race_week_id), COALESCE(i.car_id, o.car_id),
              CASE WHEN o.car_id IS NULL THEN 'ADDED' WHEN i.car_id IS NULL THEN 'REMOVED' ELSE 'CHANGED' END,
              CASE WHEN o.car_id IS NULL THEN NULL ELSE ${values('o')} END,
              CASE WHEN i.car_id IS NULL THEN NULL ELSE ${values('i')} END
       FROM i FULL JOIN o ON o.race_week_id = i.race_week_id AND o.car_id = i.car_id
       WHERE o.car_id IS NULL OR i.car_id IS NULL OR ${tuple('i')} IS DISTINCT FROM ${tuple('o')}`,
      [JSON.stringify(incoming), existingWeekIds],
    );
  }

  /** Presigned weather links change on every read of a schedule: stored without counting as a change. */
  private async updateWeatherLinks(em: EntityManager, b: SeasonBundle): Promise<void> {
    const links = b.weeks.map((w) => ({ race_week_num: w.race_week_num, weather_url: w.weather_url }));
    await em.query(
      `UPDATE race_week t SET weather_url = x.weather_url
       FROM jsonb_to_recordset($1::jsonb) AS x(race_week_num int, weather_url text)
       WHERE t.season_id = $2 AND t.race_week_num = x.race_week_num AND t.weather_url IS DISTINCT FROM x.weather_url`,
      [JSON.stringify(links), b.season.season_id],
    );
  }

  // --- References ------------------------------------------------------------------------------------------

  private async relativeSpeeds(seasons: IracingSeason[]): Promise<Map<number, number>> {
    const ids = new Set<number>();
    for (const s of seasons) {
      for (const id of s.car_class_ids ?? []) ids.add(id);
      for (const w of s.schedules ?? []) for (const id of w.race_week_car_class_ids ?? []) ids.add(id);
    }
    const rows = (await this.db.query(
      'SELECT car_class_id, relative_speed FROM car_class WHERE car_class_id = ANY($1::int[])',
      [[...ids]],
    )) as { car_class_id: number; relative_speed: number | null }[];
    return new Map(rows.map((r) => [r.car_class_id, r.relative_speed ?? 0]));
  }

  /**
   * The catalog's classes that hold any of these cars, each with all its cars; their relative speeds go into
   * `speeds` (for the order of event classes).
   */
  private async classesOfCars(carIds: number[], speeds: Map<number, number>): Promise<CarClassMembers> {
    if (carIds.length === 0) return new Map();
    const rows = (await this.db.query(
      `SELECT c.car_class_id, c.relative_speed, array_agg(m.car_id ORDER BY m.car_id) AS car_ids
       FROM car_class c JOIN car_class_car m ON m.car_class_id = c.car_class_id
       WHERE c.car_class_id IN (SELECT car_class_id FROM car_class_car WHERE car_id = ANY($1::int[]))
       GROUP BY c.car_class_id`,
      [[...new Set(carIds)]],
    )) as { car_class_id: number; relative_speed: number | null; car_ids: number[] }[];
    for (const r of rows) speeds.set(r.car_class_id, r.relative_speed ?? 0);
    return new Map(rows.map((r) => [r.car_class_id, r.car_ids]));
  }

  private async findMissing(refs: SeasonBundle['refs'][]): Promise<MissingRefs> {
    const ids = (pick: (r: SeasonBundle['refs']) => number[]) => [...new Set(refs.flatMap(pick))];
    const rows = (await this.db.query(
      `SELECT 'track' AS kind, x AS id FROM unnest($1::int[]) x WHERE NOT EXISTS (SELECT 1 FROM sim_layout WHERE track_id = x)
       UNION ALL SELECT 'car', x FROM unnest($2::int[]) x WHERE NOT EXISTS (SELECT 1 FROM sim_car WHERE car_id = x)
       UNION ALL SELECT 'class', x FROM unnest($3::int[]) x WHERE NOT EXISTS (SELECT 1 FROM car_class WHERE car_class_id = x)`,
      [ids((r) => r.trackIds), ids((r) => r.carIds), ids((r) => r.carClassIds)],
    )) as { kind: 'track' | 'car' | 'class'; id: number }[];
    const missing: MissingRefs = { tracks: new Set(), cars: new Set(), classes: new Set() };
    for (const r of rows)
      missing[r.kind === 'track' ? 'tracks' : r.kind === 'car' ? 'cars' : 'classes'].add(r.id);
    return missing;
  }

  /** Fetches the catalog when seasons name tracks, cars or classes it lacks; returns what is still missing. */
  private async ensureCatalog(
    refs: SeasonBundle['refs'][],
    options: ImportOptions,
    report: ImportReport,
  ): Promise<MissingRefs> {
    const missing = await this.findMissing(refs);
    const count = missing.tracks.size + missing.cars.size + missing.classes.size;
    if (count === 0 || options.dryRun) return missing;
    this.log.log(`seasons name ${count} catalog ids not stored yet: syncing the catalog first`);
    const catalog = await this.catalog.sync({ refresh: true });
    // The catalog's counts are part of this run; its failure is reported, the seasons it would serve fail below.
    report.merge(Object.assign(catalog, { unitsSucceeded: 0 }));
    return this.findMissing(refs);
  }

  private assertKnown(
    seasonId: number,
    refs: SeasonBundle['refs'],
    missing: MissingRefs,
    options: ImportOptions,
  ): void {
    const parts: string[] = [];
    const tracks = refs.trackIds.filter((id) => missing.tracks.has(id));
    const cars = refs.carIds.filter((id) => missing.cars.has(id));
    const classes = refs.carClassIds.filter((id) => missing.classes.has(id));
    if (tracks.length) parts.push(`track_id ${tracks.join(', ')}`);
    if (cars.length) parts.push(`car_id ${cars.join(', ')}`);
    if (classes.length) parts.push(`car_class_id ${classes.join(', ')}`);
    if (parts.length)
      throw new UnknownReferenceError(
        `season ${seasonId} names ${parts.join('; ')} that the catalog does not list` +
          (options.dryRun ? ' (a dry run does not fetch the catalog)' : ''),
      );
  }
}
