// Fetches race weeks' forecast files (`weather_url`, presigned, no auth) and stores the hourly rows in real units
// plus the summary over the rows that affect a session. A forecast is fetched only when missing, re-versioned,
// moved to another file or older than FORECAST_MAX_AGE_HOURS (unless forced). An expired or refused link is
// renewed by re-reading that season's schedule once, then fetched again. Each week is one unit and one
// transaction; a file in an unknown format fails its week alone, which keeps its schedule summary. The summary
// picks the hours by iRacing's `affects_session` flag, never by their (simulated, zone-less) timestamps.
//
// Column owners: `weather_forecast` and the forecast summary on `race_week` (`forecast_*`) are written here only.
// The forecast link (`weather_url`, `weather_version`) is schedule data, the seasons module's: a renewed link is
// stored through SeasonsWriter.storeWeatherLinks.
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { forEachLimit } from '../core/concurrency.js';
import { progressCounter } from '../core/import/progress.js';
import { AppConfig } from '../core/config/app-config.js';
import { bulkUpsert, deleteMissing, entityUpserts } from '../core/database/bulk-upsert.js';
import { ImportError } from '../core/import/import-error.js';
import { ImportReport, unitTransaction } from '../core/import/import-report.js';
import { IracingClient } from '../iracing/iracing.client.js';
import { IracingHttpError } from '../iracing/iracing.errors.js';
import { SeasonsWriter } from '../seasons/seasons.writer.js';
import { ForecastHour } from './entities/forecast-hour.entity.js';
import { forecastRows, linkPath, staleReason, summarise } from './weather.units.js';
import type { ForecastRow } from './weather.units.js';

export interface ForecastRefreshOptions {
  raceWeekIds?: number[];
  seasonIds?: number[];
  /** Fetch even fresh forecasts. */
  force?: boolean;
  dryRun?: boolean;
}

interface WeekRef {
  id: number;
  season_id: number;
  race_week_num: number;
  weather_url: string | null;
  weather_version: number | null;
  forecast_fetched_at: Date | null;
  forecast_version: number | null;
  forecast_path: string | null;
}

/** Link answers that mean a presigned link expired or was refused. */
const EXPIRED = new Set([400, 401, 403, 404, 410]);

const SPEC = entityUpserts({
  forecast: { entity: ForecastHour, key: ['race_week_id', 'time_offset'], columnar: true },
});

@Injectable()
export class WeatherImporter {
  private readonly log = new Logger(WeatherImporter.name);

  constructor(
    private readonly iracing: IracingClient,
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly seasons: SeasonsWriter,
  ) {}

  async refreshForecasts(options: ForecastRefreshOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    const weeks = await this.candidates(options);
    const now = new Date();
    const maxAge = this.config.env.FORECAST_MAX_AGE_HOURS * 3_600_000;
    const stale = options.force
      ? weeks
      : weeks.filter(
          (w) =>
            staleReason(
              {
                weatherUrl: w.weather_url,
                weatherVersion: w.weather_version,
                fetchedAt: w.forecast_fetched_at,
                fetchedVersion: w.forecast_version,
                fetchedPath: w.forecast_path,
              },
              now,
              maxAge,
            ) !== null,
        );
    report.unchanged('race_week_forecast', weeks.length - stale.length);
    const renewals = new Map<number, Promise<Map<number, string | null>>>();
    const tick = progressCounter(stale.length);
    await forEachLimit(stale, this.config.env.FORECAST_CONCURRENCY, async (week) => {
      try {
        const { url, rows } = await this.fetchForecast(week, renewals);
        report.merge(await this.store(week, url, rows, options));
      } catch (err) {
        report.fail(
          `forecast of race week ${week.id} (season ${week.season_id} week ${week.race_week_num})`,
          err,
        );
      }
      tick();
    });
    if (stale.length) this.log.log(`forecasts: ${stale.length} of ${weeks.length} weeks fetched`);
    return report;
  }

  /** Weeks with a forecast file: the ones named, or those of the seasons named, or every week not yet over. */
  private candidates(o: ForecastRefreshOptions): Promise<WeekRef[]> {
    const named = Boolean(o.raceWeekIds?.length || o.seasonIds?.length);
    return this.db.query(
      `SELECT id, season_id, race_week_num, weather_url, weather_version, forecast_fetched_at, forecast_version,
              forecast_path
       FROM race_week
       WHERE weather_url IS NOT NULL
         AND ($1::boolean OR end_time > now())
         AND ($2::int[] IS NULL OR id = ANY($2::int[]))
         AND ($3::int[] IS NULL OR season_id = ANY($3::int[]))
       ORDER BY start_time, id`,
      [named, o.raceWeekIds?.length ? o.raceWeekIds : null, o.seasonIds?.length ? o.seasonIds : null],
    ) as Promise<WeekRef[]>;
  }

  private async fetchForecast(
    week: WeekRef,
    renewals: Map<number, Promise<Map<number, string | null>>>,
  ): Promise<{ url: string; rows: ForecastRow[] }> {
    const url = week.weather_url as string;
    try {
      return { url, rows: forecastRows(await this.iracing.getForecast(url)) };
    } catch (err) {
      if (!(err instanceof IracingHttpError) || !EXPIRED.has(err.status)) throw err;
    }
    // The link expired or was refused: read the season's schedule again (once per season), then retry.
    let renewal = renewals.get(week.season_id);
    if (!renewal) {
      renewal = this.renewLinks(week.season_id);
      renewals.set(week.season_id, renewal);
    }
    const fresh = (await renewal).get(week.race_week_num);
    // The schedule may list the link again later: worth retrying.
    if (!fresh)
      throw new ImportError(
        `season ${week.season_id} week ${week.race_week_num}: the schedule has no weather_url`,
        {
          retryable: true,
        },
      );
    return { url: fresh, rows: forecastRows(await this.iracing.getForecast(fresh)) };
  }

  /** Reads a season's schedule again for new presigned links and stores them. */
  private async renewLinks(seasonId: number): Promise<Map<number, string | null>> {
    const schedule = await this.iracing.getSeasonSchedule(seasonId, { refresh: true });
    const links = schedule.schedules.map((w) => ({
      race_week_num: w.race_week_num,
      weather_url: w.weather?.weather_url ?? null,
      weather_version: w.weather?.version ?? null,
    }));
    await this.seasons.storeWeatherLinks(this.db, seasonId, links);
    this.log.log(`season ${seasonId}: weather links renewed from its schedule`);
    return new Map(links.map((l) => [l.race_week_num, l.weather_url]));
  }

  private async store(
    week: WeekRef,
    url: string,
    rows: ForecastRow[],
    options: ForecastRefreshOptions,
  ): Promise<ImportReport> {
    const report = new ImportReport();
    const stored = rows.map((r) => ({ ...r, race_week_id: week.id }));
    const s = summarise(rows);
    await unitTransaction(this.db, options, async (em) => {
      report.add('weather_forecast', {
        deleted: await deleteMissing(
          em,
          {
            table: 'weather_forecast',
            key: { race_week_id: 'int', time_offset: 'int' },
            scope: 't.race_week_id = $2',
          },
          stored,
          week.id,
        ),
      });
      report.add('weather_forecast', await bulkUpsert(em, SPEC(this.db).forecast, stored));
      await em.query(
        `UPDATE race_week SET forecast_min_air_temp_c = $2, forecast_max_air_temp_c = $3,
           forecast_max_precip_chance_pct = $4, forecast_rain_possible = $5, forecast_max_wind_ms = $6,
           forecast_fetched_at = now(), forecast_version = weather_version, forecast_path = $7
         WHERE id = $1`,
        [
          week.id,
          s.min_air_temp_c,
          s.max_air_temp_c,
          s.max_precip_chance_pct,
          s.rain_possible,
          s.max_wind_ms,
          linkPath(url),
        ],
      );
    });
    report.add('race_week_forecast', { updated: 1 });
    report.unitsSucceeded++;
    return report;
  }
}
