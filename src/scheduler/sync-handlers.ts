// Which importer runs for which kind of sync. The scheduler depends on the importers, never the reverse; it also
// queues what one sync finds for another (subsessions named by a results search or a member's recent races).
import { Injectable } from '@nestjs/common';
import { CatalogImporter } from '../catalog/catalog.importer.js';
import type { ImportReport } from '../core/import/import-report.js';
import { MembersImporter } from '../members/members.importer.js';
import { ResultsImporter } from '../results/results.importer.js';
import type { FoundSubsessions } from '../results/results.importer.js';
import { RaceGuideImporter } from '../seasons/race-guide.importer.js';
import { SeasonsImporter } from '../seasons/seasons.importer.js';
import { WeatherImporter } from '../weather/weather.importer.js';
import { SyncKind, SyncTrigger } from './sync-run.entity.js';
import { SyncRunService } from './sync-run.service.js';

export type SyncHandler = (params: Record<string, unknown>) => Promise<ImportReport>;

const flag = (v: unknown) => v === true;
const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
const date = (v: unknown) =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v) : undefined;
const ints = (v: unknown) =>
  Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number' && Number.isInteger(x)) : undefined;

@Injectable()
export class SyncHandlers {
  private readonly handlers: Record<SyncKind, SyncHandler>;

  constructor(
    catalog: CatalogImporter,
    seasons: SeasonsImporter,
    raceGuide: RaceGuideImporter,
    weather: WeatherImporter,
    results: ResultsImporter,
    members: MembersImporter,
    private readonly runs: SyncRunService,
  ) {
    this.handlers = {
      [SyncKind.CATALOG]: (p) => catalog.sync({ refresh: flag(p.refresh), dryRun: flag(p.dryRun) }),
      [SyncKind.SEASONS]: (p) =>
        seasons.sync({
          refresh: flag(p.refresh),
          dryRun: flag(p.dryRun),
          includePast: flag(p.includePast),
          seasonYear: int(p.seasonYear),
          seasonQuarter: int(p.seasonQuarter),
          seriesIds: ints(p.seriesIds),
          limit: int(p.limit),
        }),
      [SyncKind.RACE_GUIDE]: (p) =>
        raceGuide.sync({ refresh: flag(p.refresh), dryRun: flag(p.dryRun), from: date(p.from) }),
      [SyncKind.FORECASTS]: (p) =>
        weather.refresh({
          raceWeekIds: ints(p.raceWeekIds),
          seasonIds: ints(p.seasonIds),
          force: flag(p.force),
          dryRun: flag(p.dryRun),
        }),
      [SyncKind.SUBSESSIONS]: (p) =>
        results.importSubsessions(ints(p.subsessionIds) ?? [], {
          includeLaps: flag(p.includeLaps),
          refresh: flag(p.refresh),
          dryRun: flag(p.dryRun),
        }),
      [SyncKind.RESULTS]: async (p) => {
        const seasonId = int(p.seasonId);
        const options = { dryRun: flag(p.dryRun), refresh: flag(p.refresh) };
        const found =
          seasonId === undefined
            ? await results.searchNew(options)
            : await results.seasonResults(seasonId, int(p.raceWeekNum), options);
        return this.queueSubsessions(found, flag(p.dryRun));
      },
      [SyncKind.MEMBER]: async (p) => {
        const custId = int(p.custId);
        if (custId === undefined) throw new Error('a member sync needs a custId');
        const found = await members.syncMember(custId, { refresh: flag(p.refresh), dryRun: flag(p.dryRun) });
        return this.queueSubsessions(
          { report: found.report, subsessionIds: await results.missing(found.subsessionIds) },
          flag(p.dryRun),
        );
      },
      [SyncKind.OWNED_CONTENT]: (p) =>
        members.syncOwnedContent({ refresh: flag(p.refresh), dryRun: flag(p.dryRun) }),
    };
  }

  /** Queues the subsessions a sync found and did not store yet, as one SUBSESSIONS run. */
  private async queueSubsessions(found: FoundSubsessions, dryRun: boolean) {
    if (found.subsessionIds.length && !dryRun) {
      const run = await this.runs.enqueue(
        SyncKind.SUBSESSIONS,
        { subsessionIds: [...found.subsessionIds].sort((a, b) => a - b) },
        SyncTrigger.SYNC,
      );
      found.report.queued.push({
        kind: SyncKind.SUBSESSIONS,
        runId: run.id,
        items: found.subsessionIds.length,
      });
    }
    return found.report;
  }

  /** The sync queued when a run of `kind` finishes with something written (not for a dry run). */
  followUp(
    kind: SyncKind,
    params: Record<string, unknown>,
  ): { kind: SyncKind; params: Record<string, unknown> } | null {
    if (kind === SyncKind.SEASONS && !flag(params.dryRun)) return { kind: SyncKind.FORECASTS, params: {} };
    return null;
  }

  get(kind: SyncKind): SyncHandler {
    const h = this.handlers[kind];
    if (!h) throw new Error(`no handler for sync kind ${kind}`);
    return h;
  }
}
