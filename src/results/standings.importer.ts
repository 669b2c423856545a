// Season driver standings (docs/architecture.md §4.5): `stats/season_driver_standings` of each car class of a
// season, every division in one chunked answer, stored as the class's set of rows (rows no longer listed deleted),
// one transaction per season, a few seasons at once. A class whose answer is unchanged (content hash) is skipped.
// Without seasons asked: the active seasons of series a racer favours, and those whose standings were asked before.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { forEachLimit } from '../core/concurrency.js';
import { bulkUpsert, entityUpserts, replaceRows } from '../core/database/bulk-upsert.js';
import { contentHash, storedHash, storeHash } from '../core/database/payload-hash.js';
import { ImportError } from '../core/import/import-error.js';
import { ImportReport, unitTransaction } from '../core/import/import-report.js';
import type { ImportOptions } from '../core/import/import-report.js';
import { IracingClient } from '../iracing/iracing.client.js';
import type { ChunkedResult } from '../iracing/iracing.client.js';
import type { IracingStandingRow } from '../iracing/stats.payloads.js';
import { DriverStanding, SeasonStandings } from './entities/driver-standing.entity.js';
import { measure } from './results.mapping.js';

const SPECS = entityUpserts({
  row: { entity: DriverStanding, key: ['season_id', 'car_class_id', 'cust_id'] },
  list: { entity: SeasonStandings, key: ['season_id', 'car_class_id'] },
});
const MISSING = {
  table: 'season_driver_standing',
  key: { season_id: 'int', car_class_id: 'int', cust_id: 'int' },
  scope: 't.season_id = ($2::int[])[1] AND t.car_class_id = ($2::int[])[2]',
};
/** Seasons imported at once; the classes of one season are asked one after the other. */
const SEASON_CONCURRENCY = 2;

interface SeasonClasses {
  season_id: number;
  car_class_ids: number[];
}

@Injectable()
export class StandingsImporter {
  constructor(
    private readonly iracing: IracingClient,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /**
   * The standings of `seasonIds` (default: the favoured or already followed active seasons), in every car class
   * of each or only `carClassId`. A season not stored, or a class it does not run, is a named failure.
   */
  async sync(
    seasonIds: number[] | undefined,
    carClassId: number | undefined,
    options: ImportOptions = {},
  ): Promise<ImportReport> {
    const report = new ImportReport();
    const seasons = (await this.db.query(
      `SELECT s.season_id, s.car_class_ids FROM season s
       WHERE CASE WHEN $1::int[] IS NULL
                  THEN s.active AND (
                    EXISTS (SELECT 1 FROM planner_favourite f WHERE f.kind = 'SERIES' AND f.ref_id = s.series_id)
                    OR EXISTS (SELECT 1 FROM season_standings x WHERE x.season_id = s.season_id))
                  ELSE s.season_id = ANY($1::int[]) END
       ORDER BY s.season_id`,
      [seasonIds ?? null],
    )) as SeasonClasses[];
    for (const id of seasonIds ?? [])
      if (!seasons.some((s) => s.season_id === id))
        report.fail(`season ${id} standings`, ImportError.badData('season', `season ${id} is not stored`));
    await forEachLimit(seasons, SEASON_CONCURRENCY, async (season) => {
      const unit = `season ${season.season_id} standings`;
      const classes = carClassId === undefined ? season.car_class_ids : [carClassId];
      if (carClassId !== undefined && !season.car_class_ids.includes(carClassId)) {
        report.fail(
          unit,
          ImportError.badData(
            'season',
            `season ${season.season_id} has no car class ${carClassId} (its classes: ${season.car_class_ids.join(', ') || 'none'})`,
          ),
        );
        return;
      }
      try {
        const lists: { carClassId: number; answer: ChunkedResult<IracingStandingRow> }[] = [];
        for (const id of classes)
          lists.push({
            carClassId: id,
            answer: await this.iracing.getSeasonDriverStandings(
              { seasonId: season.season_id, carClassId: id },
              { refresh: options.refresh },
            ),
          });
        await this.store(season.season_id, lists, options, report);
        report.unitsSucceeded++;
      } catch (err) {
        report.fail(unit, err);
      }
    });
    return report;
  }

  /** One season's lists, already fetched, in one transaction; each class skipped when its rows are unchanged. */
  async store(
    seasonId: number,
    lists: { carClassId: number; answer: ChunkedResult<IracingStandingRow> }[],
    options: ImportOptions,
    report: ImportReport,
  ): Promise<void> {
    const specs = SPECS(this.db);
    await unitTransaction(this.db, options, async (em) => {
      for (const { carClassId, answer } of lists) {
        const rows = answer.rows.map((r) => standingRow(seasonId, carClassId, r));
        const source = `standings:${seasonId}:${carClassId}`;
        const hash = contentHash(rows);
        if (!options.refresh && (await storedHash(em, source)) === hash) {
          report.unchanged('season_driver_standing', rows.length);
          continue;
        }
        report.add(
          'season_driver_standing',
          await replaceRows(em, specs.row, rows, MISSING, [seasonId, carClassId]),
        );
        await this.touchList(em, seasonId, carClassId, rows.length, answer.header.last_updated);
        await storeHash(em, source, hash);
      }
    });
  }

  private async touchList(
    em: EntityManager,
    seasonId: number,
    carClassId: number,
    drivers: number,
    lastUpdated: unknown,
  ): Promise<void> {
    const at = typeof lastUpdated === 'string' && !Number.isNaN(Date.parse(lastUpdated)) ? lastUpdated : null;
    await bulkUpsert(em, SPECS(this.db).list, [
      {
        season_id: seasonId,
        car_class_id: carClassId,
        drivers,
        last_updated: at,
        fetched_at: new Date().toISOString(),
      },
    ]);
  }
}

/** A standings row as stored: iRacing's -1 ("not applicable") as null. */
function standingRow(seasonId: number, carClassId: number, r: IracingStandingRow): Record<string, unknown> {
  const positive = (v: number | null | undefined) => (v === null || v === undefined || v < 0 ? null : v);
  return {
    season_id: seasonId,
    car_class_id: carClassId,
    cust_id: r.cust_id,
    rank: r.rank,
    division: r.division,
    display_name: r.display_name,
    club_id: positive(r.club_id),
    club_name: r.club_name || null,
    country_code: r.country_code || null,
    license_level: measure(r.license?.license_level),
    safety_rating: positive(r.license?.safety_rating),
    irating: measure(r.license?.irating),
    points: r.points,
    weeks_counted: measure(r.weeks_counted),
    week_dropped: r.week_dropped ?? null,
    starts: r.starts,
    wins: r.wins,
    top5: measure(r.top5),
    top25_percent: measure(r.top25_percent),
    poles: measure(r.poles),
    avg_start_position: positive(r.avg_start_position),
    avg_finish_position: positive(r.avg_finish_position),
    avg_field_size: positive(r.avg_field_size),
    laps: measure(r.laps),
    laps_led: measure(r.laps_led),
    incidents: measure(r.incidents),
  };
}
