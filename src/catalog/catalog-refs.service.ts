// What other modules ask of the catalog about the ids they import: which cars, classes, tracks and packages it
// does not hold yet, and "ensure these are known" — the catalog fetched (at most once per shared state) when some
// are missing, so a season, a subsession or an account's owned content never refers to an id the catalog lacks.
// Also the few catalog facts the seasons importer maps with (relative speeds, the classes of cars). Reads only:
// the catalog's tables are written by CatalogImporter alone.
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Queryable } from '../core/database/bulk-upsert.js';
import type { ImportReport, UnitFailure } from '../core/import/import-report.js';
import { CATALOG_HASH_SOURCE, CatalogImporter } from './catalog.importer.js';

/** Ids an import refers to. */
export interface CatalogRefs {
  trackIds?: readonly number[];
  carIds?: readonly number[];
  carClassIds?: readonly number[];
  /** Owned car packages (`sim_car.package_id`). */
  carPackageIds?: readonly number[];
  /** Owned track packages (`sim_track.package_id`). */
  trackPackageIds?: readonly number[];
}

const KINDS = ['trackIds', 'carIds', 'carClassIds', 'carPackageIds', 'trackPackageIds'] as const;
type Kind = (typeof KINDS)[number];

/** How each kind of id is named in messages. */
const LABEL: Record<Kind, string> = {
  trackIds: 'track_id',
  carIds: 'car_id',
  carClassIds: 'car_class_id',
  carPackageIds: 'car package_id',
  trackPackageIds: 'track package_id',
};

/** The ids of some refs that the catalog does not hold. */
export class CatalogGaps {
  constructor(private readonly ids: Record<Kind, ReadonlySet<number>>) {}

  get size(): number {
    return KINDS.reduce((n, k) => n + this.ids[k].size, 0);
  }

  /** The missing ones among `refs` (all of them without), by kind. */
  of(refs?: CatalogRefs): Record<Kind, number[]> {
    const out = {} as Record<Kind, number[]>;
    for (const k of KINDS)
      out[k] = refs ? (refs[k] ?? []).filter((id) => this.ids[k].has(id)) : [...this.ids[k]];
    return out;
  }

  /** `track_id 572, 539; car_id 12` for the missing ones among `refs`; empty when none is missing. */
  describe(refs?: CatalogRefs): string {
    const missing = this.of(refs);
    return KINDS.filter((k) => missing[k].length)
      .map((k) => `${LABEL[k]} ${missing[k].join(', ')}`)
      .join('; ');
  }
}

/** Shared by the imports of one run, so the catalog is fetched at most once for all of them. */
export interface CatalogFetchState {
  fetch?: Promise<ImportReport>;
}

export interface EnsureKnownOptions {
  /** A dry run does not fetch the catalog (it would be rolled back): what is missing stays missing. */
  dryRun?: boolean;
  /** Shared by the calls of one run: the catalog is fetched at most once for them all. */
  state?: CatalogFetchState;
  /** Not fetched when the catalog was stored within this long: it would not know the ids either. */
  unlessStoredWithinMs?: number;
  /** Who asks, for the log line (`season 123`, `account 456`). */
  by: string;
}

export interface EnsuredRefs {
  /** What the catalog still lacks once it was fetched (or was not: a dry run, a fresh catalog). */
  missing: CatalogGaps;
  /** The catalog sync this call ran, for the caller to merge into its report (a call that shared one gets none). */
  fetched?: ImportReport;
  /** The first failure of the catalog sync the call waited for, if it failed: the cause of a unit's failure. */
  failure?: UnitFailure;
}

@Injectable()
export class CatalogRefsService {
  private readonly log = new Logger(CatalogRefsService.name);

  constructor(
    private readonly importer: CatalogImporter,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** The ids of `refs` the catalog does not hold, in one statement. */
  async missing(refs: CatalogRefs, db: Queryable = this.db): Promise<CatalogGaps> {
    const rows = (await db.query(
      `SELECT 'trackIds' AS kind, x AS id FROM unnest($1::int[]) x
         WHERE NOT EXISTS (SELECT 1 FROM sim_layout WHERE track_id = x)
       UNION ALL SELECT 'carIds', x FROM unnest($2::int[]) x WHERE NOT EXISTS (SELECT 1 FROM sim_car WHERE car_id = x)
       UNION ALL SELECT 'carClassIds', x FROM unnest($3::int[]) x
         WHERE NOT EXISTS (SELECT 1 FROM car_class WHERE car_class_id = x)
       UNION ALL SELECT 'carPackageIds', x FROM unnest($4::int[]) x
         WHERE NOT EXISTS (SELECT 1 FROM sim_car WHERE package_id = x)
       UNION ALL SELECT 'trackPackageIds', x FROM unnest($5::int[]) x
         WHERE NOT EXISTS (SELECT 1 FROM sim_track WHERE package_id = x)`,
      KINDS.map((k) => [...new Set(refs[k] ?? [])]),
    )) as { kind: Kind; id: number }[];
    const ids = Object.fromEntries(KINDS.map((k) => [k, new Set<number>()])) as Record<Kind, Set<number>>;
    for (const r of rows) ids[r.kind].add(r.id);
    return new CatalogGaps(ids);
  }

  /**
   * Ensures the catalog knows `refs`: when it lacks some, the catalog is fetched (with `refresh`, unless a dry
   * run, a fresh catalog, or a fetch already done for `state`) and what it still lacks is returned with the sync's
   * report and failure.
   */
  async ensureKnown(refs: CatalogRefs, options: EnsureKnownOptions): Promise<EnsuredRefs> {
    const missing = await this.missing(refs);
    if (missing.size === 0 || options.dryRun) return { missing };
    const state = options.state ?? {};
    let fetched: ImportReport | undefined;
    if (!state.fetch) {
      if (
        options.unlessStoredWithinMs !== undefined &&
        (await this.storedWithin(options.unlessStoredWithinMs))
      )
        return { missing };
      this.log.log(
        `${options.by} names ${missing.size} catalog ids not stored yet: syncing the catalog first`,
      );
      state.fetch = this.importer.sync({ refresh: true });
      fetched = await state.fetch;
    }
    const report = fetched ?? (await state.fetch);
    return { missing: await this.missing(refs), fetched, failure: report.failures[0] };
  }

  /** Whether the catalog was written (changed, or fetched with refresh) within the last `ms`. */
  async storedWithin(ms: number): Promise<boolean> {
    const [r] = (await this.db.query(
      `SELECT updated_at > now() - make_interval(secs => $2::double precision / 1000) AS fresh
       FROM payload_hash WHERE source = $1`,
      [CATALOG_HASH_SOURCE, ms],
    )) as { fresh: boolean }[];
    return r?.fresh ?? false;
  }

  /** The relative speed of each of these classes the catalog holds (0 when it has none). */
  async relativeSpeeds(carClassIds: Iterable<number>): Promise<Map<number, number>> {
    const rows = (await this.db.query(
      'SELECT car_class_id, relative_speed FROM car_class WHERE car_class_id = ANY($1::int[])',
      [[...new Set(carClassIds)]],
    )) as { car_class_id: number; relative_speed: number | null }[];
    return new Map(rows.map((r) => [r.car_class_id, r.relative_speed ?? 0]));
  }

  /** The classes that hold any of these cars, each with all its cars (ordered) and its relative speed. */
  async classesOfCars(
    carIds: readonly number[],
  ): Promise<{ carClassId: number; relativeSpeed: number; carIds: number[] }[]> {
    if (carIds.length === 0) return [];
    const rows = (await this.db.query(
      `SELECT c.car_class_id, c.relative_speed, array_agg(m.car_id ORDER BY m.car_id) AS car_ids
       FROM car_class c JOIN car_class_car m ON m.car_class_id = c.car_class_id
       WHERE c.car_class_id IN (SELECT car_class_id FROM car_class_car WHERE car_id = ANY($1::int[]))
       GROUP BY c.car_class_id`,
      [[...new Set(carIds)]],
    )) as { car_class_id: number; relative_speed: number | null; car_ids: number[] }[];
    return rows.map((r) => ({
      carClassId: r.car_class_id,
      relativeSpeed: r.relative_speed ?? 0,
      carIds: r.car_ids,
    }));
  }
}
