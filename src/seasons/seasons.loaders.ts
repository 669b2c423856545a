// The seasons module's per-request DataLoaders: every nested field of the season graph resolves through one of
// these, so a query costs one statement per level whatever the number of parents. Fields with arguments
// (`Event.instances(from, to)`) get one loader per distinct argument set. A row read with another (a week's event,
// a session's event and week) primes the loader that would read it again.
import DataLoader from 'dataloader';
import { groupBy, indexBy } from '../core/graphql/dataloader.registry.js';
import type { CarRestriction, CarRestrictionChange } from './entities/car-restriction.entity.js';
import type { Event, EventClass, Session } from './entities/event.entity.js';
import type { RaceWeek } from './entities/race-week.entity.js';
import type { Season } from './entities/season.entity.js';
import type { Series } from './entities/series.entity.js';
import type { SeasonsService } from './seasons.service.js';

export class SeasonsLoaders {
  constructor(private readonly seasons: SeasonsService) {}

  readonly series = new DataLoader<number, Series | null>(async (ids) =>
    indexBy(ids, await this.seasons.seriesByIds(ids), (s) => s.seriesId),
  );

  readonly season = new DataLoader<number, Season | null>(async (ids) =>
    indexBy(ids, await this.seasons.seasonsByIds(ids), (s) => s.seasonId),
  );

  readonly seasonsOfSeries = new DataLoader<number, Season[]>(async (ids) =>
    groupBy(ids, await this.seasons.seasonsOfSeries(ids), (s) => s.seriesId),
  );

  readonly raceWeek = new DataLoader<number, RaceWeek | null>(async (ids) =>
    indexBy(ids, await this.seasons.raceWeeksByIds(ids), (w) => w.id),
  );

  // A week's event is read with it (a to-one join): `RaceWeek.event` below a season's weeks costs no statement.
  readonly raceWeeksOfSeason = new DataLoader<number, RaceWeek[]>(async (ids) => {
    const rows = await this.seasons.raceWeeksOfSeasons(ids);
    for (const { week, event } of rows) {
      this.raceWeek.prime(week.id, week);
      this.eventOfWeek.prime(week.id, event);
      if (event) this.event.prime(event.id, event);
    }
    return groupBy(
      ids,
      rows.map((r) => r.week),
      (w) => w.seasonId,
    );
  });

  readonly restrictionsOfWeek = new DataLoader<number, CarRestriction[]>(async (ids) =>
    groupBy(ids, await this.seasons.restrictionsOfWeeks(ids), (r) => r.raceWeekId),
  );

  readonly restrictionChangesOfWeek = new DataLoader<number, CarRestrictionChange[]>(async (ids) =>
    groupBy(ids, await this.seasons.restrictionChangesOfWeeks(ids), (r) => r.raceWeekId),
  );

  readonly event = new DataLoader<number, Event | null>(async (ids) =>
    indexBy(ids, await this.seasons.eventsByIds(ids), (e) => e.id),
  );

  readonly eventOfWeek = new DataLoader<number, Event | null>(async (ids) =>
    indexBy(ids, await this.seasons.eventsOfWeeks(ids), (e) => e.raceWeekId as number),
  );

  readonly classesOfEvent = new DataLoader<number, EventClass[]>(async (ids) =>
    groupBy(ids, await this.seasons.classesOfEvents(ids), (c) => c.eventId),
  );

  readonly instance = new DataLoader<number, Session | null>(async (ids) =>
    indexBy(ids, await this.seasons.instancesByIds(ids), (i) => i.id),
  );

  /** An event and its race week read with a session (a join, seasons.service.ts): they cost no statement. */
  primeWeek(event: Event, week: RaceWeek, series?: Series | null): void {
    this.event.prime(event.id, event);
    this.raceWeek.prime(week.id, week);
    this.eventOfWeek.prime(week.id, event);
    if (series) this.series.prime(series.seriesId, series);
  }

  private readonly instanceLoaders = new Map<string, DataLoader<number, Session[]>>();

  /** Sessions of events within [from, to): one loader (one statement per level) per argument set. */
  instancesOfEvent(
    from: Date | undefined,
    to: Date | undefined,
    first: number,
  ): DataLoader<number, Session[]> {
    const key = `${from?.toISOString() ?? ''}|${to?.toISOString() ?? ''}|${first}`;
    let loader = this.instanceLoaders.get(key);
    if (!loader) {
      loader = new DataLoader<number, Session[]>(async (ids) =>
        groupBy(ids, await this.seasons.instancesOfEvents(ids, from, to, first), (i) => i.eventId),
      );
      this.instanceLoaders.set(key, loader);
    }
    return loader;
  }
}
