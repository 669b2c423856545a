// Writes what the seasons module owns from a schedule, inside the caller's unit transaction: series, seasons,
// race weeks, their events, event classes, BOP restrictions (with the history of their changes) and the predicted
// sessions. Set-based: a statement per table and season, never one per row. Rows that disappeared upstream are
// deleted; sessions the race guide listed or results named are kept (sessions.service.ts writes those).
//
// Column owners on `race_week`: the schedule columns, `weather_url` and `weather_version` are written here (the
// links also by `storeWeatherLinks` when the weather module renews them); the forecast summary (`forecast_*`) is
// the weather module's and never written here.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { bulkUpsert, deleteMissing, entityUpserts, replaceRows } from '../core/database/bulk-upsert.js';
import type { DeleteMissingSpec, Queryable, WriteCounts } from '../core/database/bulk-upsert.js';
import type { ImportReport } from '../core/import/import-report.js';
import { CarRestriction } from './entities/car-restriction.entity.js';
import { Event, EventClass, Session } from './entities/event.entity.js';
import { RaceWeek } from './entities/race-week.entity.js';
import { Season } from './entities/season.entity.js';
import { Series } from './entities/series.entity.js';
import type { SeasonBundle, SeriesRow } from './seasons.mapping.js';
import { RESTRICTION_VALUES } from './week.mapping.js';

const SPEC = entityUpserts({
  // `official` is set from the series' seasons (writeBundle), not from series/get.
  series: { entity: Series, key: ['series_id'], exclude: ['official'], touch: 'updated_at' },
  season: { entity: Season, key: ['season_id'], touch: 'updated_at' },
  raceWeek: {
    entity: RaceWeek,
    key: ['season_id', 'race_week_num'],
    // The presigned link changes on every read: stored by storeWeatherLinks, not counted as a change.
    exclude: ['weather_url', /^forecast_/],
    touch: 'updated_at',
  },
  event: { entity: Event, key: ['race_week_id'], touch: 'updated_at' },
  restriction: { entity: CarRestriction, key: ['race_week_id', 'car_id'], touch: 'updated_at' },
  eventClass: { entity: EventClass, key: ['event_id', 'car_class_id'] },
  instance: {
    entity: Session,
    key: ['event_id', 'start_time'],
    // What the race guide and results learn about a session (sessions.service.ts).
    exclude: ['session_id', 'entry_count', 'race_guide_at'],
    touch: 'updated_at',
    batchSize: 20_000,
    columnar: true,
  },
});

/** A race week's forecast link as a schedule gives it. */
export interface WeatherLink {
  race_week_num: number;
  weather_url: string | null;
  /** Null: the stored version is kept. */
  weather_version?: number | null;
}

/** The ids of a season's weeks and events once written, by race_week_num. */
interface SeasonIds {
  week: (raceWeekNum: number) => number;
  event: (raceWeekNum: number) => number;
  /** Weeks stored before this sync: only they can have rows to delete or BOP history to record. */
  existingWeekIds: number[];
}

@Injectable()
export class SeasonsWriter {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Series from `series/get`. */
  writeSeries(em: EntityManager, rows: SeriesRow[]): Promise<WriteCounts> {
    return bulkUpsert(em, SPEC(this.db).series, rows);
  }

  /** Every row of one season, in the caller's transaction. */
  async writeBundle(em: EntityManager, b: SeasonBundle, report: ImportReport): Promise<void> {
    await this.writeScheduleSeries(em, b, report);
    const spec = SPEC(this.db);
    report.add('season', await bulkUpsert(em, spec.season, [b.season]));
    const ids = await this.writeWeeks(em, b, report);
    await this.writeRestrictions(em, b, ids, report);
    await this.writeEventClasses(em, b, ids, report);
    await this.writeInstances(em, b, ids, report);
    await em.query('UPDATE series SET official = $2 WHERE series_id = $1 AND official IS DISTINCT FROM $2', [
      b.series.series_id,
      b.season.official,
    ]);
  }

  /**
   * Stores race weeks' forecast links (and versions, when given) without counting them as a change: presigned
   * links change on every read of a schedule. The one writer of `race_week.weather_url`.
   */
  async storeWeatherLinks(db: Queryable, seasonId: number, links: WeatherLink[]): Promise<void> {
    await db.query(
      `UPDATE race_week t SET weather_url = x.weather_url, weather_version = COALESCE(x.weather_version, t.weather_version)
       FROM jsonb_to_recordset($1::jsonb) AS x(race_week_num int, weather_url text, weather_version int)
       WHERE t.season_id = $2 AND t.race_week_num = x.race_week_num
         AND (t.weather_url, t.weather_version) IS DISTINCT FROM (x.weather_url, COALESCE(x.weather_version, t.weather_version))`,
      [JSON.stringify(links), seasonId],
    );
  }

  /** A series `series/get` does not list (a retired one) is known from its schedule: its category from its weeks. */
  private async writeScheduleSeries(em: EntityManager, b: SeasonBundle, report: ImportReport): Promise<void> {
    const [series] = (await em.query(
      `INSERT INTO series AS s (series_id, name, category, category_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (series_id) DO UPDATE SET category = EXCLUDED.category, category_id = EXCLUDED.category_id,
         updated_at = now()
       WHERE s.category IS NULL AND EXCLUDED.category IS NOT NULL
       RETURNING (xmax = 0) AS inserted`,
      [b.series.series_id, b.series.name, b.series.category, b.series.category_id],
    )) as { inserted: boolean }[];
    if (series) report.add('series', series.inserted ? { created: 1 } : { updated: 1 });
  }

  /** The weeks, their links and their events; returns their ids. */
  private async writeWeeks(em: EntityManager, b: SeasonBundle, report: ImportReport): Promise<SeasonIds> {
    const seasonId = b.season.season_id;
    const spec = SPEC(this.db);
    report.add('race_week', await bulkUpsert(em, spec.raceWeek, b.weeks));
    await this.storeWeatherLinks(em, seasonId, weatherLinks(b));
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
    const events = b.weeks.map((w) => ({
      race_week_id: week(w.race_week_num),
      kind: 'SERIES',
      series_id: w.series_id,
      season_id: seasonId,
      track_id: w.track_id,
    }));
    report.add('event', await bulkUpsert(em, spec.event, events));
    const stored = (await em.query('SELECT id, race_week_id FROM event WHERE season_id = $1', [
      seasonId,
    ])) as { id: number; race_week_id: number }[];
    const eventOfWeek = new Map(stored.map((e) => [e.race_week_id, e.id]));
    return {
      week,
      event: (num) => eventOfWeek.get(week(num)) as number,
      existingWeekIds: weeks.filter((w) => w.existed).map((w) => w.id),
    };
  }

  /** What a season no longer has is deleted: nothing for a season seen for the first time. */
  private stale(ids: SeasonIds, spec: DeleteMissingSpec): DeleteMissingSpec | null {
    return ids.existingWeekIds.length ? spec : null;
  }

  private async writeRestrictions(
    em: EntityManager,
    b: SeasonBundle,
    ids: SeasonIds,
    report: ImportReport,
  ): Promise<void> {
    const restrictions = b.restrictions.map((r) => {
      const { race_week_num, ...rest } = r;
      return { ...rest, race_week_id: ids.week(race_week_num) };
    });
    await this.recordRestrictionChanges(em, ids.existingWeekIds, restrictions);
    const inSeason = 't.race_week_id IN (SELECT id FROM race_week WHERE season_id = $2)';
    const missing = {
      table: 'car_restriction',
      key: { race_week_id: 'int', car_id: 'int' },
      scope: inSeason,
    };
    report.add(
      'car_restriction',
      await replaceRows(
        em,
        SPEC(this.db).restriction,
        restrictions,
        this.stale(ids, missing),
        b.season.season_id,
      ),
    );
  }

  private async writeEventClasses(
    em: EntityManager,
    b: SeasonBundle,
    ids: SeasonIds,
    report: ImportReport,
  ): Promise<void> {
    const classes = b.classes.map((c) => ({
      event_id: ids.event(c.race_week_num),
      car_class_id: c.car_class_id,
      position: c.position,
      car_ids: c.car_ids,
    }));
    const missing = {
      table: 'event_class',
      key: { event_id: 'int', car_class_id: 'int' },
      scope: EVENTS_IN_SEASON,
    };
    report.add(
      'event_class',
      await replaceRows(em, SPEC(this.db).eventClass, classes, this.stale(ids, missing), b.season.season_id),
    );
  }

  private async writeInstances(
    em: EntityManager,
    b: SeasonBundle,
    ids: SeasonIds,
    report: ImportReport,
  ): Promise<void> {
    const instances = b.instances.map((i) => ({
      event_id: ids.event(i.race_week_num),
      start_time: i.start_time,
      end_time: i.end_time,
      session_minutes: i.session_minutes,
      super_session: i.super_session,
      predicted: true,
    }));
    // Sessions the race guide has listed (or results will name) stay, even when the schedule drops them.
    const missing = {
      table: 'event_instance',
      key: { event_id: 'int', start_time: 'timestamptz' },
      scope: `${EVENTS_IN_SEASON} AND t.predicted AND t.session_id IS NULL`,
    };
    report.add(
      'event_instance',
      await replaceRows(em, SPEC(this.db).instance, instances, this.stale(ids, missing), b.season.season_id),
    );
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
}

const EVENTS_IN_SEASON = 't.event_id IN (SELECT id FROM event WHERE season_id = $2)';

/** The weeks' links as the schedule gives them; their versions are written with the weeks. */
export function weatherLinks(b: SeasonBundle): WeatherLink[] {
  return b.weeks.map((w) => ({ race_week_num: w.race_week_num, weather_url: w.weather_url }));
}
