// Which importer runs for which kind of sync. The scheduler depends on the importers, never the reverse; it also
// queues what one sync finds for another (subsessions named by a results search or a member's recent races), and
// splits a run whose id list is too long into runs of at most RUN_SPLIT_SIZE ids.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CatalogImporter } from '../catalog/catalog.importer.js';
import type { ImportReport } from '../core/import/import-report.js';
import { MembersImporter } from '../members/members.importer.js';
import { ResultsImporter } from '../results/results.importer.js';
import type { FoundSubsessions } from '../results/results.importer.js';
import { RaceGuideImporter } from '../seasons/race-guide.importer.js';
import { SeasonsImporter } from '../seasons/seasons.importer.js';
import { WeatherImporter } from '../weather/weather.importer.js';
import { chunks, RUN_SPLIT_SIZE, SPLIT_PARAMS } from './sync.queue.js';
import { SyncKind, SyncStatus, SyncTrigger } from './sync-run.entity.js';
import { SyncRunService } from './sync-run.service.js';
import type { RunRef, RunSpec } from './sync-run.service.js';

/** The run a handler works for. */
export interface SyncContext {
  runId: number;
}

export type SyncHandler = (params: Record<string, unknown>, ctx: SyncContext) => Promise<ImportReport>;

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
    private readonly results: ResultsImporter,
    members: MembersImporter,
    private readonly runs: SyncRunService,
    @InjectDataSource() private readonly db: DataSource,
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
      [SyncKind.FORECASTS]: (p, ctx) =>
        this.split(SyncKind.FORECASTS, p, ctx, (q) =>
          weather.refresh({
            raceWeekIds: ints(q.raceWeekIds),
            seasonIds: ints(q.seasonIds),
            force: flag(q.force),
            dryRun: flag(q.dryRun),
          }),
        ),
      [SyncKind.SUBSESSIONS]: (p, ctx) =>
        this.split(SyncKind.SUBSESSIONS, p, ctx, (q) =>
          results.importSubsessions(ints(q.subsessionIds) ?? [], {
            includeLaps: flag(q.includeLaps),
            refresh: flag(q.refresh),
            dryRun: flag(q.dryRun),
          }),
        ),
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

  /**
   * Queues the subsessions a sync found that are neither stored nor queued yet, as SUBSESSIONS runs of at most
   * RUN_SPLIT_SIZE ids. The runs and the search checkpoint are written in one transaction: if they cannot be
   * recorded, the checkpoint stays where it was and the next search finds them again. Their jobs are added after
   * the commit; a job Redis does not take is added by the reaper (the run is recorded with its job id).
   */
  private async queueSubsessions(found: FoundSubsessions, dryRun: boolean): Promise<ImportReport> {
    if (dryRun || (found.subsessionIds.length === 0 && !found.checkpoint)) return found.report;
    const ids = [...found.subsessionIds].sort((a, b) => a - b);
    const refs = await this.db.transaction(async (em) => {
      const fresh = await this.runs.notQueued(SyncKind.SUBSESSIONS, 'subsessionIds', ids, em);
      const slices = chunks(fresh);
      const inserted = await this.runs.insertRuns(
        em,
        slices.map((slice) => ({
          kind: SyncKind.SUBSESSIONS,
          params: { subsessionIds: slice },
          trigger: SyncTrigger.SYNC,
        })),
      );
      if (found.checkpoint) await this.results.saveCheckpoint(em, found.checkpoint);
      return inserted.map((ref, i) => ({ ref, items: slices[i].length }));
    });
    await this.addJobs(refs.map((r) => r.ref));
    for (const { ref, items } of refs)
      found.report.queued.push({ kind: SyncKind.SUBSESSIONS, runId: ref.id, items });
    return found.report;
  }

  /**
   * Runs `work` on the first RUN_SPLIT_SIZE ids of the kind's id list and queues the others as runs of their
   * own (their trigger key names this run and the slice, so a retried or taken-over run queues them once).
   */
  private async split(
    kind: SyncKind,
    params: Record<string, unknown>,
    ctx: SyncContext,
    work: (params: Record<string, unknown>) => Promise<ImportReport>,
  ): Promise<ImportReport> {
    const key = SPLIT_PARAMS[kind] as string;
    const ids = ints(params[key]) ?? [];
    if (ids.length <= RUN_SPLIT_SIZE) return work(params);
    const [first, ...rest] = chunks(ids);
    const specs: RunSpec[] = rest.map((slice, i) => ({
      kind,
      params: { ...params, [key]: slice },
      trigger: SyncTrigger.SYNC,
      triggerKey: `split:${ctx.runId}:${i + 1}`,
    }));
    const refs = await this.db.transaction((em) => this.runs.insertRuns(em, specs));
    await this.addJobs(refs);
    const report = await work({ ...params, [key]: first });
    refs.forEach((ref, i) => report.queued.push({ kind, runId: ref.id, items: rest[i].length }));
    return report;
  }

  /** Adds the jobs of runs just recorded (or found still QUEUED); the reaper adds those Redis did not take. */
  private async addJobs(refs: RunRef[]): Promise<void> {
    await this.runs.addJobs(refs.filter((r) => r.inserted || r.status === SyncStatus.QUEUED));
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
