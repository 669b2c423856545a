// Which importer runs for which kind of sync. The scheduler depends on the importers, never the reverse.
import { Injectable } from '@nestjs/common';
import { CatalogImporter } from '../catalog/catalog.importer.js';
import type { ImportReport } from '../core/import/import-report.js';
import { SyncKind } from './sync-run.entity.js';

export type SyncHandler = (params: Record<string, unknown>) => Promise<ImportReport>;

const flag = (v: unknown) => v === true;

@Injectable()
export class SyncHandlers {
  private readonly handlers: Record<SyncKind, SyncHandler>;

  constructor(catalog: CatalogImporter) {
    this.handlers = {
      [SyncKind.CATALOG]: (p) => catalog.sync({ refresh: flag(p.refresh), dryRun: flag(p.dryRun) }),
    };
  }

  get(kind: SyncKind): SyncHandler {
    const h = this.handlers[kind];
    if (!h) throw new Error(`no handler for sync kind ${kind}`);
    return h;
  }
}
