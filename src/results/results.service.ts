// Read side of the results module: the subsession list (filtered, keyset-paginated) and batch look-ups for the
// DataLoaders (results and teams of subsessions, laps, a member's recent results).
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { BadInputError, NotFoundError } from '../core/errors/domain-error.js';
import { paginateLazily } from '../core/graphql/pagination.js';
import type { LazyConnectionShape } from '../core/graphql/pagination.js';
import type { ResultsArgs } from './dto/results.args.js';
import { Subsession } from './entities/subsession.entity.js';
import type { SeasonParticipation, WeekParticipation } from './dto/participation.types.js';
import { SubsessionClass } from './entities/subsession-class.entity.js';
import { Lap } from './entities/lap.entity.js';
import { DriverResult, TeamResult } from './entities/driver-result.entity.js';

@Injectable()
export class ResultsService {
  constructor(
    @InjectRepository(Subsession) private readonly results: Repository<Subsession>,
    @InjectRepository(DriverResult) private readonly drivers: Repository<DriverResult>,
    @InjectRepository(TeamResult) private readonly teams: Repository<TeamResult>,
    @InjectRepository(Lap) private readonly laps: Repository<Lap>,
    @InjectRepository(SubsessionClass) private readonly classes: Repository<SubsessionClass>,
  ) {}

  async subsession(id: number): Promise<Subsession> {
    return (
      (await this.results.findOneBy({ subsessionId: id })) ??
      Promise.reject(new NotFoundError('Subsession', id))
    );
  }

  /** Subsessions, newest first. */
  list(args: ResultsArgs): Promise<LazyConnectionShape<Subsession>> {
    const f = args.filter;
    if (f?.from && f.to && f.from.getTime() >= f.to.getTime())
      throw new BadInputError(`"from" (${f.from.toISOString()}) must be before "to" (${f.to.toISOString()})`);
    const qb = this.results.createQueryBuilder('r');
    if (f?.custId)
      qb.andWhere(
        'EXISTS (SELECT 1 FROM participant_result p WHERE p.event_result_id = r.id AND p.cust_id = :cust)',
        {
          cust: f.custId,
        },
      );
    if (f?.seriesId) qb.andWhere('r.series_id = :series', { series: f.seriesId });
    if (f?.seasonId) qb.andWhere('r.season_id = :season', { season: f.seasonId });
    if (f?.kind) qb.andWhere('r.kind = :kind', { kind: f.kind });
    if (f?.from) qb.andWhere('r.start_time >= :from', { from: f.from });
    if (f?.to) qb.andWhere('r.start_time < :to', { to: f.to });
    return paginateLazily<Subsession>(qb, args, {
      sortExpr: 'r.startTime',
      idExpr: 'r.subsessionId',
      values: (r) => [r.startTime.toISOString(), r.subsessionId],
      direction: 'DESC',
    });
  }

  // --- Batch look-ups for DataLoaders ----------------------------------------------------------------------

  driversOfResults(eventResultIds: readonly number[]): Promise<DriverResult[]> {
    return this.drivers.find({
      where: { eventResultId: In([...eventResultIds]) },
      order: { simsessionNumber: 'ASC', finishPosition: 'ASC', custId: 'ASC' },
    });
  }

  /** Participation per week of each season (weeks with races only), by season then week. */
  participationOfSeasons(seasonIds: readonly number[]): Promise<WeekParticipation[]> {
    return this.results.manager.query(
      `SELECT season_id AS "seasonId", race_week_num AS "raceWeekNum",
              count(DISTINCT coalesce(session_id::text, start_time::text))::int AS sessions,
              count(*)::int AS splits, coalesce(sum(num_drivers), 0)::int AS drivers,
              round(avg(strength_of_field))::int AS "averageSof", max(strength_of_field) AS "peakSplitSof"
       FROM season_result_split WHERE season_id = ANY($1::int[])
       GROUP BY season_id, race_week_num ORDER BY season_id, race_week_num`,
      [[...seasonIds]],
    );
  }

  /** Participation of each series' latest `limit` seasons with results, newest first. */
  participationTrends(
    seriesIds: readonly number[],
    limit: number,
  ): Promise<(SeasonParticipation & { seriesId: number })[]> {
    return this.results.manager.query(
      `WITH s AS (
         SELECT se.season_id, se.series_id,
                row_number() OVER (PARTITION BY se.series_id ORDER BY se.season_id DESC) AS n
         FROM season se WHERE se.series_id = ANY($1::int[])
           AND EXISTS (SELECT 1 FROM season_result_split x WHERE x.season_id = se.season_id))
       SELECT s.series_id AS "seriesId", s.season_id AS "seasonId", count(DISTINCT x.race_week_num)::int AS weeks,
              count(DISTINCT (x.race_week_num, coalesce(x.session_id::text, x.start_time::text)))::int AS sessions,
              count(*)::int AS splits, coalesce(sum(x.num_drivers), 0)::int AS drivers,
              round(coalesce(sum(x.num_drivers), 0)::numeric / count(DISTINCT x.race_week_num), 1)::float
                AS "averageDriversPerWeek",
              round(avg(x.strength_of_field))::int AS "averageSof"
       FROM s JOIN season_result_split x ON x.season_id = s.season_id
       WHERE s.n <= $2 GROUP BY s.series_id, s.season_id ORDER BY s.series_id, s.season_id DESC`,
      [[...seriesIds], limit],
    );
  }

  classesOfResults(eventResultIds: readonly number[]): Promise<SubsessionClass[]> {
    return this.classes.find({
      where: { eventResultId: In([...eventResultIds]) },
      order: { position: 'ASC' },
    });
  }

  teamsOfResults(eventResultIds: readonly number[]): Promise<TeamResult[]> {
    return this.teams.find({
      where: { eventResultId: In([...eventResultIds]) },
      order: { simsessionNumber: 'ASC', finishPosition: 'ASC', teamId: 'ASC' },
    });
  }

  resultsByIds(ids: readonly number[]): Promise<Subsession[]> {
    return this.results.findBy({ id: In([...ids]) });
  }

  /** Laps by `eventResultId:simsessionNumber:custId` keys, in lap order. */
  async lapsOf(keys: readonly string[]): Promise<(Lap & { key: string })[]> {
    const parts = keys.map((k) => k.split(':').map(Number));
    const rows = (await this.laps.query(
      `SELECT r.id AS event_result_id, l.* FROM lap l JOIN event_result r ON r.subsession_id = l.subsession_id
       WHERE (r.id, l.simsession_number, l.cust_id) IN (SELECT * FROM unnest($1::int[], $2::int[], $3::int[]))
       ORDER BY l.lap_number`,
      [parts.map((p) => p[0]), parts.map((p) => p[1]), parts.map((p) => p[2])],
    )) as Record<string, unknown>[];
    return rows.map((r) =>
      Object.assign(new Lap(), {
        key: `${String(r.event_result_id)}:${String(r.simsession_number)}:${String(r.cust_id)}`,
        id: String(r.id),
        subsessionId: r.subsession_id as number,
        simsessionNumber: r.simsession_number as number,
        custId: r.cust_id as number,
        groupId: r.group_id as number | null,
        lapNumber: r.lap_number as number,
        lapTime: r.lap_time as number,
        flags: r.flags as number | null,
        incident: r.incident as boolean | null,
        sessionTime: r.session_time as number | null,
        personalBestLap: r.personal_best_lap as boolean | null,
        lapEvents: r.lap_events as string[],
      }),
    );
  }

  /** The latest main-event results of members, at most `limit` each. */
  async recentOf(custIds: readonly number[], limit: number): Promise<DriverResult[]> {
    const ids = (await this.drivers.query(
      `SELECT id FROM (
         SELECT p.id, row_number() OVER (PARTITION BY p.cust_id ORDER BY r.start_time DESC, r.subsession_id DESC) AS n
         FROM participant_result p JOIN event_result r ON r.id = p.event_result_id
         WHERE p.cust_id = ANY($1::int[]) AND p.simsession_number = 0) x WHERE n <= $2`,
      [[...custIds], limit],
    )) as { id: number }[];
    if (!ids.length) return [];
    return this.drivers
      .createQueryBuilder('p')
      .innerJoin(Subsession, 'r', 'r.id = p.event_result_id')
      .where('p.id = ANY(:ids)', { ids: ids.map((i) => i.id) })
      .orderBy('r.start_time', 'DESC')
      .addOrderBy('r.subsession_id', 'DESC')
      .getMany();
  }
}
