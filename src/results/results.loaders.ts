// The results module's per-request DataLoaders.
import DataLoader from 'dataloader';
import { groupBy, indexBy } from '../core/graphql/dataloader.registry.js';
import type { EventResult } from './entities/event-result.entity.js';
import type { Lap } from './entities/lap.entity.js';
import type { ParticipantResult, TeamResult } from './entities/participant-result.entity.js';
import type { ResultsService } from './results.service.js';

export class ResultsLoaders {
  constructor(private readonly results: ResultsService) {}

  readonly result = new DataLoader<number, EventResult | null>(async (ids) =>
    indexBy(ids, await this.results.resultsByIds(ids), (r) => r.id),
  );

  readonly driversOfResult = new DataLoader<number, ParticipantResult[]>(async (ids) =>
    groupBy(ids, await this.results.driversOfResults(ids), (d) => d.eventResultId),
  );

  readonly teamsOfResult = new DataLoader<number, TeamResult[]>(async (ids) =>
    groupBy(ids, await this.results.teamsOfResults(ids), (t) => t.eventResultId),
  );

  /** Keys `eventResultId:simsessionNumber:custId`. */
  readonly laps = new DataLoader<string, Lap[]>(async (keys) =>
    groupBy(keys, await this.results.lapsOf(keys), (l) => (l as Lap & { key: string }).key),
  );

  private readonly recent = new Map<number, DataLoader<number, ParticipantResult[]>>();

  /** Latest main-event results per member, `limit` each: one loader per limit. */
  recentOf(limit: number): DataLoader<number, ParticipantResult[]> {
    let loader = this.recent.get(limit);
    if (!loader) {
      loader = new DataLoader<number, ParticipantResult[]>(async (ids) =>
        groupBy(ids, await this.results.recentOf(ids, limit), (p) => p.custId),
      );
      this.recent.set(limit, loader);
    }
    return loader;
  }
}
