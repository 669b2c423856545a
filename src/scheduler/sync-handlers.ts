// Which importer runs for which kind of sync. The scheduler depends on the importers, never the reverse.
import { Injectable } from '@nestjs/common';
import { CatalogImporter } from '../catalog/catalog.importer.js';
import type { ImportReport } from '../core/import/import-report.js';
import { RaceGuideImporter } from '../seasons/race-guide.importer.js';
import { SeasonsImporter } from '../seasons/seasons.importer.js';
import { WeatherImporter } from '../weather/weather.importer.js';
import { SyncKind } from './sync-run.entity.js';

export type SyncHandler = (params: Record<string, unknown>) => Promise<ImportReport>;

const flag = (v: unknown) => v === true;
const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
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
      [SyncKind.RACE_GUIDE]: (p) => raceGuide.sync({ refresh: flag(p.refresh), dryRun: flag(p.dryRun) }),
      [SyncKind.FORECASTS]: (p) =>
        weather.refresh({
          raceWeekIds: ints(p.raceWeekIds),
          seasonIds: ints(p.seasonIds),
          force: flag(p.force),
          dryRun: flag(p.dryRun),
        }),
    };
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
