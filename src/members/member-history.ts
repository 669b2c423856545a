// A linked member's own history (docs/architecture.md §4.15, §6.12): their rating charts (`member/chart_data`, one
// value per day per category and chart) and their yearly and career totals (`stats/member_yearly`,
// `stats/member_career`), written as that member's sets (rows no longer listed deleted) in one unit, skipped when
// the answers are unchanged (content hash); and read for `me`. The calls themselves are the caller's (the
// member's own token: accounts/member-account.importer.ts).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Category, CATEGORY_IDS } from '../catalog/dto/catalog.args.js';
import { entityUpserts, replaceRows } from '../core/database/bulk-upsert.js';
import { contentHash, storedHash, storeHash } from '../core/database/payload-hash.js';
import { BadInputError } from '../core/errors/domain-error.js';
import { ImportError } from '../core/import/import-error.js';
import { ImportReport, unitTransaction } from '../core/import/import-report.js';
import type { ImportOptions } from '../core/import/import-report.js';
import type { IracingCareerStat, IracingChartData, IracingYearlyStat } from '../iracing/stats.payloads.js';
import { RatingKind } from './dto/member-history.types.js';
import type { MemberStats, RatingPoint } from './dto/member-history.types.js';
import {
  MemberCareerStat,
  MemberRatingPoint,
  MemberYearlyStat,
  RatingChart,
} from './entities/member-history.entity.js';

/** The categories a member's charts are asked for: iRacing's licence categories since 2024. */
export const CHART_CATEGORIES = [
  CATEGORY_IDS[Category.OVAL],
  CATEGORY_IDS[Category.SPORTS_CAR],
  CATEGORY_IDS[Category.FORMULA_CAR],
  CATEGORY_IDS[Category.DIRT_OVAL],
  CATEGORY_IDS[Category.DIRT_ROAD],
];
export const CHART_TYPES = [RatingChart.IRATING, RatingChart.TT_RATING, RatingChart.LICENSE];

const CHART_OF: Record<RatingKind, RatingChart> = {
  [RatingKind.IRATING]: RatingChart.IRATING,
  [RatingKind.TT_RATING]: RatingChart.TT_RATING,
  [RatingKind.SAFETY_RATING]: RatingChart.LICENSE,
};
const CATEGORY_OF = new Map(Object.entries(CATEGORY_IDS).map(([c, id]) => [id, c as Category]));
/** Licence groups as the licence chart numbers them (its value's thousands). */
const LICENSE_CLASSES = ['Rookie', 'Class D', 'Class C', 'Class B', 'Class A', 'Pro'];

const SPECS = entityUpserts({
  point: { entity: MemberRatingPoint, key: ['cust_id', 'category_id', 'chart_type', 'day'] },
  career: { entity: MemberCareerStat, key: ['cust_id', 'category_id'] },
  yearly: { entity: MemberYearlyStat, key: ['cust_id', 'year', 'category_id'] },
});
const scopeOfMember = (table: string, key: Record<string, string>) => ({
  table,
  key,
  scope: 't.cust_id = $2',
});
const MISSING = {
  point: scopeOfMember('member_rating_point', {
    cust_id: 'int',
    category_id: 'int',
    chart_type: 'int',
    day: 'date',
  }),
  career: scopeOfMember('member_career_stat', { cust_id: 'int', category_id: 'int' }),
  yearly: scopeOfMember('member_yearly_stat', { cust_id: 'int', year: 'int', category_id: 'int' }),
};

export interface FetchedHistory {
  charts: IracingChartData[];
  yearly: IracingYearlyStat[];
  career: IracingCareerStat[];
}

const STAT_COLUMNS = `category_id AS "categoryId", starts, wins, top5, poles,
  avg_start_position AS "avgStartPosition", avg_finish_position AS "avgFinishPosition", laps,
  laps_led AS "lapsLed", avg_incidents AS "avgIncidents", avg_points AS "avgPoints",
  win_percentage AS "winPercentage", top5_percentage AS "top5Percentage",
  laps_led_percentage AS "lapsLedPercentage", club_points AS "clubPoints"`;

@Injectable()
export class MemberHistory {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Whether the history stored is from the same recent races (`basis`) and less than a week old. */
  async upToDate(custId: number, basis: string): Promise<boolean> {
    const rows = (await this.db.query(
      `SELECT 1 FROM payload_hash WHERE source = $1 AND content_hash = $2 AND updated_at > now() - $3::interval`,
      [basisSource(custId), basis, `${BASIS_MAX_AGE_DAYS} days`],
    )) as unknown[];
    return rows.length > 0;
  }

  /**
   * A member's fetched history as one unit (the caller names and counts it), with the recent races it was read
   * after (`basis`, see historyBasis).
   */
  async store(
    custId: number,
    fetched: FetchedHistory,
    basis: string,
    options: ImportOptions,
    report: ImportReport,
  ): Promise<void> {
    for (const chart of fetched.charts)
      if (chart.cust_id !== custId)
        throw ImportError.badData(
          'member/chart_data',
          `member ${custId}'s chart answered for member ${chart.cust_id}`,
        );
    const points = fetched.charts.flatMap((c) =>
      c.data.map((p) => ({
        cust_id: custId,
        category_id: c.category_id,
        chart_type: c.chart_type,
        day: p.when.slice(0, 10),
        value: p.value,
      })),
    );
    const totals = (s: IracingCareerStat) => ({
      cust_id: custId,
      category_id: s.category_id,
      starts: s.starts,
      wins: s.wins,
      top5: s.top5,
      poles: s.poles,
      avg_start_position: s.avg_start_position,
      avg_finish_position: s.avg_finish_position,
      laps: s.laps,
      laps_led: s.laps_led,
      avg_incidents: s.avg_incidents,
      avg_points: s.avg_points,
      win_percentage: s.win_percentage,
      top5_percentage: s.top5_percentage,
      laps_led_percentage: s.laps_led_percentage,
      club_points: s.total_club_points ?? null,
    });
    const career = fetched.career.map(totals);
    const yearly = fetched.yearly.map((s) => ({ ...totals(s), year: s.year }));
    const source = `member_history:${custId}`;
    const hash = contentHash(points, career, yearly);
    const specs = SPECS(this.db);
    await unitTransaction(this.db, options, async (em) => {
      await storeHash(em, basisSource(custId), basis);
      if (!options.refresh && (await storedHash(em, source)) === hash) {
        report.unchanged('member_rating_point', points.length);
        report.unchanged('member_career_stat', career.length);
        report.unchanged('member_yearly_stat', yearly.length);
        return;
      }
      report.add('member_rating_point', await replaceRows(em, specs.point, points, MISSING.point, custId));
      report.add('member_career_stat', await replaceRows(em, specs.career, career, MISSING.career, custId));
      report.add('member_yearly_stat', await replaceRows(em, specs.yearly, yearly, MISSING.yearly, custId));
      await storeHash(em, source, hash);
    });
  }

  /** Deletes a member's history (their unlink): how many rows. */
  async forget(custId: number): Promise<number> {
    const [r] = (await this.db.query(
      `WITH p AS (DELETE FROM member_rating_point WHERE cust_id = $1 RETURNING 1),
            c AS (DELETE FROM member_career_stat WHERE cust_id = $1 RETURNING 1),
            y AS (DELETE FROM member_yearly_stat WHERE cust_id = $1 RETURNING 1),
            h AS (DELETE FROM payload_hash WHERE source = ANY($2::text[]) RETURNING 1)
       SELECT (SELECT count(*) FROM p) + (SELECT count(*) FROM c) + (SELECT count(*) FROM y) AS n,
              (SELECT count(*) FROM h) AS hashes`,
      [custId, [`member_history:${custId}`, basisSource(custId)]],
    )) as { n: string }[];
    return Number(r.n);
  }

  /** A member's chart of one kind in one category, by day. */
  async ratingHistory(
    custId: number,
    category: Category,
    kind: RatingKind,
    from?: Date,
    to?: Date,
  ): Promise<RatingPoint[]> {
    if (from && to && from > to)
      throw new BadInputError(`from (${from.toISOString()}) is after to (${to.toISOString()})`, {
        argument: 'from',
      });
    const rows = (await this.db.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, value FROM member_rating_point
       WHERE cust_id = $1 AND category_id = $2 AND chart_type = $3
         AND ($4::timestamptz IS NULL OR day >= ($4::timestamptz AT TIME ZONE 'UTC')::date)
         AND ($5::timestamptz IS NULL OR day <= ($5::timestamptz AT TIME ZONE 'UTC')::date)
       ORDER BY day`,
      [custId, CATEGORY_IDS[category], CHART_OF[kind], from ?? null, to ?? null],
    )) as { day: string; value: number }[];
    const license = kind === RatingKind.SAFETY_RATING;
    return rows.map((r) => ({
      ...r,
      licenseClass: license ? (LICENSE_CLASSES[Math.floor(r.value / 1000) - 1] ?? null) : null,
      safetyRating: license ? (r.value % 1000) / 100 : null,
    }));
  }

  /** Career totals per category. */
  async career(custId: number): Promise<MemberStats[]> {
    const rows = (await this.db.query(
      `SELECT ${STAT_COLUMNS}, NULL::int AS year FROM member_career_stat WHERE cust_id = $1 ORDER BY category_id`,
      [custId],
    )) as MemberStats[];
    return rows.map(withCategory);
  }

  /** Yearly totals per category, newest year first (one year when asked). */
  async yearly(custId: number, year?: number): Promise<MemberStats[]> {
    const rows = (await this.db.query(
      `SELECT ${STAT_COLUMNS}, year FROM member_yearly_stat
       WHERE cust_id = $1 AND ($2::int IS NULL OR year = $2) ORDER BY year DESC, category_id`,
      [custId, year ?? null],
    )) as MemberStats[];
    return rows.map(withCategory);
  }
}

/** How long a history read after the same recent races is kept before it is asked again. */
const BASIS_MAX_AGE_DAYS = 7;
const basisSource = (custId: number) => `member_history_basis:${custId}`;

/** What a member's history is read after: their recent races (it moves only when they race). */
export const historyBasis = (subsessionIds: number[]): string => contentHash(subsessionIds);

const withCategory = (s: MemberStats): MemberStats => ({
  ...s,
  category: CATEGORY_OF.get(s.categoryId) ?? null,
});
