// Reads of the look-back imports (docs/architecture.md §6.12): a season's driver standings in one car class, one
// keyset page by rank with the position in the list asked (division, club) and the viewer's own row; a car's world
// records at a layout, the fastest of one kind of lap.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BadInputError } from '../core/errors/domain-error.js';
import { decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor } from '../core/graphql/pagination.js';
import type { DriverStanding } from './entities/driver-standing.entity.js';
import type {
  LapKind,
  DriverStandingConnection,
  DriverStandingsArgs,
  WorldRecords,
} from './dto/look-back.types.js';

/** The tag of standings cursors (see pagination.ts): another list's cursor is refused. */
const STANDINGS_LIST = 'standings';

const STANDING_COLUMNS = `season_id AS "seasonId", car_class_id AS "carClassId", cust_id AS "custId", rank,
  division, display_name AS "displayName", club_id AS "clubId", club_name AS "clubName",
  country_code AS "countryCode", license_level AS "licenseLevel", safety_rating AS "safetyRating", irating,
  points, weeks_counted AS "weeksCounted", week_dropped AS "weekDropped", starts, wins, top5,
  top25_percent AS "top25Percent", poles, avg_start_position AS "avgStartPosition",
  avg_finish_position AS "avgFinishPosition", avg_field_size AS "avgFieldSize", laps, laps_led AS "lapsLed",
  incidents`;

export interface StandingsSeason {
  seasonId: number;
  carClassIds: number[];
}

@Injectable()
export class LookBackService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The car class asked, checked against the season's; or the season's only one (or only one with standings). */
  private async carClassOf(season: StandingsSeason, asked?: number): Promise<number> {
    const classes = season.carClassIds;
    if (asked !== undefined) {
      if (!classes.includes(asked))
        throw new BadInputError(
          `season ${season.seasonId} has no car class ${asked} (its classes: ${classes.join(', ') || 'none'})`,
          { argument: 'carClassId' },
        );
      return asked;
    }
    if (classes.length === 1) return classes[0];
    const fetched = (await this.db.query(
      'SELECT car_class_id FROM season_standings WHERE season_id = $1 ORDER BY car_class_id',
      [season.seasonId],
    )) as { car_class_id: number }[];
    if (fetched.length === 1) return fetched[0].car_class_id;
    throw new BadInputError(
      `season ${season.seasonId} has ${classes.length} car classes (${classes.join(', ')}): give carClassId`,
      { argument: 'carClassId' },
    );
  }

  /** One page of a season's standings in a car class, by rank, and the viewer's own row. */
  async standings(
    season: StandingsSeason,
    args: DriverStandingsArgs,
    viewer: number | null,
  ): Promise<DriverStandingConnection> {
    const carClassId = await this.carClassOf(season, args.carClassId);
    const first = args.first ?? DEFAULT_PAGE_SIZE;
    const after = args.after ? standingsCursor(args.after) : null;
    const filter = `season_id = $1 AND car_class_id = $2
      AND ($3::int IS NULL OR division = $3) AND ($4::int IS NULL OR club_id = $4)`;
    const params = [season.seasonId, carClassId, args.division ?? null, args.clubId ?? null];
    const cursor = [after?.[0] ?? null, after?.[1] ?? null];
    // Rows of the list asked are consecutive by (rank, cust_id): a page's positions follow the rows before it.
    const [rows, counts, list, own] = await Promise.all([
      this.db.query(
        `SELECT ${STANDING_COLUMNS} FROM season_driver_standing
         WHERE ${filter} AND ($5::int IS NULL OR (rank, cust_id) > ($5::int, $6::int))
         ORDER BY rank, cust_id LIMIT $7`,
        [...params, ...cursor, first + 1],
      ) as Promise<DriverStanding[]>,
      this.db.query(
        `SELECT count(*)::int AS n,
           count(*) FILTER (WHERE $5::int IS NOT NULL AND (rank, cust_id) <= ($5::int, $6::int))::int AS before
         FROM season_driver_standing WHERE ${filter}`,
        [...params, ...cursor],
      ) as Promise<{ n: number; before: number }[]>,
      this.db.query(
        'SELECT last_updated, fetched_at FROM season_standings WHERE season_id = $1 AND car_class_id = $2',
        [season.seasonId, carClassId],
      ) as Promise<{ last_updated: Date | null; fetched_at: Date }[]>,
      viewer === null ? Promise.resolve([]) : this.viewerRow(params, viewer),
    ]);
    const before = counts[0]?.before ?? 0;
    const page = rows.slice(0, first).map((row, i) => ({ ...row, position: before + i + 1 }));
    const edges = page.map((node) => ({
      node,
      cursor: encodeCursor([node.rank, node.custId], STANDINGS_LIST),
    }));
    return {
      carClassId,
      edges,
      pageInfo: {
        hasNextPage: rows.length > first,
        hasPreviousPage: after !== null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
      totalCount: counts[0]?.n ?? 0,
      lastUpdated: list[0]?.last_updated ?? null,
      fetchedAt: list[0]?.fetched_at ?? null,
      viewer: own[0] ?? null,
    };
  }

  /** The viewer's row, with its position in the list asked when it is in it. */
  private viewerRow(params: (number | null)[], viewer: number): Promise<DriverStanding[]> {
    return this.db.query(
      `SELECT ${STANDING_COLUMNS},
         CASE WHEN ($3::int IS NULL OR s.division = $3) AND ($4::int IS NULL OR s.club_id = $4) THEN
           (SELECT count(*)::int FROM season_driver_standing b
            WHERE b.season_id = $1 AND b.car_class_id = $2 AND ($3::int IS NULL OR b.division = $3)
              AND ($4::int IS NULL OR b.club_id = $4) AND (b.rank, b.cust_id) <= (s.rank, s.cust_id))
         END AS position
       FROM season_driver_standing s WHERE s.season_id = $1 AND s.car_class_id = $2 AND s.cust_id = $5`,
      [...params, viewer],
    ) as Promise<DriverStanding[]>;
  }

  /** BAD_USER_INPUT naming the car or the layout that is not stored. */
  async assertCarAndLayout(carId: number, trackId: number): Promise<void> {
    const [known] = (await this.db.query(
      `SELECT EXISTS (SELECT 1 FROM sim_car WHERE car_id = $1) AS car,
              EXISTS (SELECT 1 FROM sim_layout WHERE track_id = $2) AS track`,
      [carId, trackId],
    )) as { car: boolean; track: boolean }[];
    if (!known.car) throw new BadInputError(`car ${carId} is not stored`, { argument: 'carId' });
    if (!known.track) throw new BadInputError(`track ${trackId} is not stored`, { argument: 'trackId' });
  }

  /** A car's world records at a layout, the fastest `first` of one kind; null when never fetched. */
  async worldRecords(
    trackId: number,
    carId: number,
    kind: LapKind,
    first: number,
  ): Promise<WorldRecords | null> {
    const time = `${kind}_lap_time`;
    const [set] = (await this.db.query(
      `SELECT season_year, season_quarter, drivers, last_updated, fetched_at,
         (SELECT count(*)::int FROM world_record r WHERE r.car_id = $1 AND r.track_id = $2 AND r.${time} IS NOT NULL) AS n
       FROM world_record_set WHERE car_id = $1 AND track_id = $2`,
      [carId, trackId],
    )) as {
      season_year: number;
      season_quarter: number;
      drivers: number;
      last_updated: Date | null;
      fetched_at: Date;
      n: number;
    }[];
    if (!set) return null;
    const entries = (await this.db.query(
      `SELECT row_number() OVER (ORDER BY ${time}, cust_id)::int AS position, cust_id AS "custId",
         display_name AS "displayName", club_name AS "clubName", country_code AS "countryCode",
         license_level AS "licenseLevel", irating, ${time} / 10000.0::float8 AS "lapTime",
         to_char(${kind}_date, 'YYYY-MM-DD') AS date, season_year AS "seasonYear", season_quarter AS "seasonQuarter"
       FROM world_record WHERE car_id = $1 AND track_id = $2 AND ${time} IS NOT NULL
       ORDER BY ${time}, cust_id LIMIT $3`,
      [carId, trackId, first],
    )) as WorldRecords['entries'];
    return {
      carId,
      trackId,
      kind,
      drivers: set.drivers,
      totalCount: set.n,
      seasonYear: set.season_year,
      seasonQuarter: set.season_quarter,
      fetchedAt: set.fetched_at,
      lastUpdated: set.last_updated,
      entries,
    };
  }
}

/** The (rank, cust_id) a standings cursor points after. */
function standingsCursor(after: string): [number, number] {
  const [rank, custId] = decodeCursor(after, 2, STANDINGS_LIST);
  if (!Number.isSafeInteger(rank) || !Number.isSafeInteger(custId))
    throw new BadInputError(`"after" is not a cursor of this list: ${after.slice(0, 40)}`, {
      argument: 'after',
    });
  return [rank as number, custId as number];
}
