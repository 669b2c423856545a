// World records (docs/architecture.md §4.5): `stats/world_records` of one car at one layout (all time, every chunk),
// stored as that pair's set of rows. The list is kept for the season quarter it was fetched in: asked again in the
// same quarter, nothing is fetched (unless `refresh`); an unchanged answer (content hash) writes nothing.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { bulkUpsert, entityUpserts, replaceRows } from '../core/database/bulk-upsert.js';
import { contentHash, storedHash, storeHash } from '../core/database/payload-hash.js';
import { ImportError } from '../core/import/import-error.js';
import { ImportReport, unitTransaction } from '../core/import/import-report.js';
import type { ImportOptions } from '../core/import/import-report.js';
import { IracingClient } from '../iracing/iracing.client.js';
import type { IracingWorldRecordRow } from '../iracing/stats.payloads.js';
import { WorldRecord, WorldRecordSet } from './entities/world-record.entity.js';
import { measure } from './results.mapping.js';

const SPECS = entityUpserts({
  row: { entity: WorldRecord, key: ['car_id', 'track_id', 'cust_id'] },
  set: { entity: WorldRecordSet, key: ['car_id', 'track_id'] },
});
const MISSING = {
  table: 'world_record',
  key: { car_id: 'int', track_id: 'int', cust_id: 'int' },
  scope: 't.car_id = ($2::int[])[1] AND t.track_id = ($2::int[])[2]',
};

/** The season quarter a list is kept for. */
export interface SeasonQuarter {
  year: number;
  quarter: number;
}

@Injectable()
export class WorldRecordsImporter {
  constructor(
    private readonly iracing: IracingClient,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** The current season quarter: the latest stored season that has started, else the calendar's quarter. */
  async currentQuarter(): Promise<SeasonQuarter> {
    const [row] = (await this.db.query(
      `SELECT year, quarter FROM season
       WHERE start_date <= now() AND year IS NOT NULL AND quarter IS NOT NULL
       ORDER BY start_date DESC LIMIT 1`,
    )) as SeasonQuarter[];
    if (row) return row;
    const now = new Date();
    return { year: now.getUTCFullYear(), quarter: Math.floor(now.getUTCMonth() / 3) + 1 };
  }

  /** One car at one layout, as one unit. */
  async sync(carId: number, trackId: number, options: ImportOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    const unit = `car ${carId} at track ${trackId} world records`;
    try {
      const [known] = (await this.db.query(
        `SELECT EXISTS (SELECT 1 FROM sim_car WHERE car_id = $1) AS car,
                EXISTS (SELECT 1 FROM sim_layout WHERE track_id = $2) AS track`,
        [carId, trackId],
      )) as { car: boolean; track: boolean }[];
      if (!known.car || !known.track)
        throw ImportError.badData(
          known.car ? 'sim_layout' : 'sim_car',
          known.car ? `track ${trackId} is not stored` : `car ${carId} is not stored`,
          { params: { car_id: carId, track_id: trackId } },
        );
      const season = await this.currentQuarter();
      const [kept] = (await this.db.query(
        `SELECT drivers FROM world_record_set
         WHERE car_id = $1 AND track_id = $2 AND season_year = $3 AND season_quarter = $4`,
        [carId, trackId, season.year, season.quarter],
      )) as { drivers: number }[];
      if (kept && !options.refresh) {
        report.unchanged('world_record', kept.drivers);
        report.unitsSucceeded++;
        return report;
      }
      const answer = await this.iracing.getWorldRecords({ carId, trackId }, { refresh: options.refresh });
      const rows = answer.rows.map((r) => recordRow(carId, trackId, r));
      const source = `world_records:${carId}:${trackId}`;
      const hash = contentHash(rows);
      await unitTransaction(this.db, options, async (em) => {
        if (!options.refresh && (await storedHash(em, source)) === hash)
          report.unchanged('world_record', rows.length);
        else {
          report.add(
            'world_record',
            await replaceRows(em, SPECS(this.db).row, rows, MISSING, [carId, trackId]),
          );
          await storeHash(em, source, hash);
        }
        const updated = answer.header.last_updated;
        await bulkUpsert(em, SPECS(this.db).set, [
          {
            car_id: carId,
            track_id: trackId,
            season_year: season.year,
            season_quarter: season.quarter,
            drivers: rows.length,
            last_updated: typeof updated === 'string' && !Number.isNaN(Date.parse(updated)) ? updated : null,
            fetched_at: new Date().toISOString(),
          },
        ]);
      });
      report.unitsSucceeded++;
    } catch (err) {
      report.fail(unit, err);
    }
    return report;
  }
}

/** A record as stored: rows of other cars or layouts (never expected) are refused by the key check. */
function recordRow(carId: number, trackId: number, r: IracingWorldRecordRow): Record<string, unknown> {
  if (r.car_id !== carId || r.track_id !== trackId)
    throw ImportError.badData(
      'stats/world_records',
      `a row of car ${r.car_id} at track ${r.track_id} in the answer for car ${carId} at track ${trackId}`,
    );
  const day = (v: string | null | undefined) => (v ? v.slice(0, 10) : null);
  return {
    car_id: carId,
    track_id: trackId,
    cust_id: r.cust_id,
    display_name: r.display_name,
    club_name: r.club_name || null,
    country_code: r.country_code || null,
    season_year: measure(r.season_year),
    season_quarter: measure(r.season_quarter),
    license_level: measure(r.license?.license_level),
    irating: measure(r.license?.irating),
    race_lap_time: lap(r.race_lap_time),
    race_date: lap(r.race_lap_time) === null ? null : day(r.race_date),
    qualify_lap_time: lap(r.qualify_lap_time),
    qualify_date: lap(r.qualify_lap_time) === null ? null : day(r.qualify_date),
    tt_lap_time: lap(r.tt_lap_time),
    tt_date: lap(r.tt_lap_time) === null ? null : day(r.tt_date),
    practice_lap_time: lap(r.practice_lap_time),
    practice_date: lap(r.practice_lap_time) === null ? null : day(r.practice_date),
  };
}

/** A lap time in 1/10000 s; 0 or -1 means none. */
const lap = (v: number | null | undefined): number | null =>
  v === null || v === undefined || v <= 0 ? null : v;
