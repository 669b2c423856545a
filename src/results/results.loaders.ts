// The results module's per-request DataLoaders.
import DataLoader from 'dataloader';
import { groupBy, indexBy } from '../core/graphql/dataloader.registry.js';
import type { Subsession } from './entities/subsession.entity.js';
import type { SubsessionClass } from './entities/subsession-class.entity.js';
import type { SeasonParticipation, WeekParticipation } from './dto/participation.types.js';
import type { Lap } from './entities/lap.entity.js';
import type { DriverResult, TeamResult } from './entities/driver-result.entity.js';
import type { ResultsService } from './results.service.js';

export class ResultsLoaders {
  constructor(private readonly results: ResultsService) {}

  readonly result = new DataLoader<number, Subsession | null>(async (ids) =>
    indexBy(ids, await this.results.resultsByIds(ids), (r) => r.id),
  );

  readonly driversOfResult = new DataLoader<number, DriverResult[]>(async (ids) =>
    groupBy(ids, await this.results.driversOfResults(ids), (d) => d.eventResultId),
  );

  readonly classesOfResult = new DataLoader<number, SubsessionClass[]>(async (ids) =>
    groupBy(ids, await this.results.classesOfResults(ids), (c) => c.eventResultId),
  );

  readonly participationOfSeason = new DataLoader<number, WeekParticipation[]>(async (ids) =>
    groupBy(ids, await this.results.participationOfSeasons(ids), (w) => w.seasonId),
  );

  private readonly trends = new Map<number, DataLoader<number, SeasonParticipation[]>>();

  /** The participation trend of series over their latest `seasons` seasons: one loader per count. */
  trendOf(seasons: number): DataLoader<number, SeasonParticipation[]> {
    let loader = this.trends.get(seasons);
    if (!loader) {
      loader = new DataLoader<number, SeasonParticipation[]>(async (ids) =>
        groupBy(ids, await this.results.participationTrends(ids, seasons), (t) => t.seriesId),
      );
      this.trends.set(seasons, loader);
    }
    return loader;
  }

  readonly teamsOfResult = new DataLoader<number, TeamResult[]>(async (ids) =>
    groupBy(ids, await this.results.teamsOfResults(ids), (t) => t.eventResultId),
  );

  /** Keys `eventResultId:simsessionNumber:custId`. */
  readonly laps = new DataLoader<string, Lap[]>(async (keys) =>
    groupBy(keys, await this.results.lapsOf(keys), (l) => (l as Lap & { key: string }).key),
  );

  private readonly recent = new Map<number, DataLoader<number, DriverResult[]>>();

  /** Latest main-event results per member, `limit` each: one loader per limit. */
  recentOf(limit: number): DataLoader<number, DriverResult[]> {
    let loader = this.recent.get(limit);
    if (!loader) {
      loader = new DataLoader<number, DriverResult[]>(async (ids) =>
        groupBy(ids, await this.results.recentOf(ids, limit), (p) => p.custId),
      );
      this.recent.set(limit, loader);
    }
    return loader;
  }
}
