// Imports the catalog (cars, car classes, tracks) from iRacing into PostgreSQL: one unit, one transaction,
// set-based upserts, memberships and vanished classes deleted, skipped by content hash unless `refresh`.
// Cars and tracks that vanish upstream are kept (results and schedules refer to them). Car and track models are
// derived from names: when iRacing renames a car or a track, its model is renamed in place (same id) or its
// packages move to the model of the new name, and a model left without any package is deleted.
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { settleAll } from '../core/concurrency.js';
import { bulkUpsert, deleteMissing, entityUpserts } from '../core/database/bulk-upsert.js';
import { contentHash, storedHash, storeHash } from '../core/database/payload-hash.js';
import { ImportError } from '../core/import/import-error.js';
import { ImportReport, unitTransaction } from '../core/import/import-report.js';
import type { ImportOptions } from '../core/import/import-report.js';
import { IracingClient } from '../iracing/iracing.client.js';
import type { IracingCar, IracingCarClass, IracingTrack } from '../iracing/iracing.payloads.js';
import { carClassRows, carRows, trackRows } from './catalog.mapping.js';
import { CarClassCar } from './entities/car-class-car.entity.js';
import { CarClass } from './entities/car-class.entity.js';
import { CarModel } from './entities/car-model.entity.js';
import { Car } from './entities/car.entity.js';
import { TrackLayout } from './entities/track-layout.entity.js';
import { Track } from './entities/track.entity.js';
import { TrackModel } from './entities/track-model.entity.js';

const SPEC = entityUpserts({
  carModel: { entity: CarModel, key: ['key'], touch: 'updated_at' },
  simCar: {
    entity: Car,
    key: ['car_id'],
    inputs: { car_model_key: 'text' },
    computed: { car_model_id: 'SELECT m.id FROM car_model m WHERE m.key = x.car_model_key' },
    touch: 'updated_at',
  },
  carClass: { entity: CarClass, key: ['car_class_id'], touch: 'updated_at' },
  carClassCar: { entity: CarClassCar, key: ['car_class_id', 'car_id'] },
  trackModel: { entity: TrackModel, key: ['key'], touch: 'updated_at' },
  simTrack: {
    entity: Track,
    key: ['package_id'],
    inputs: { track_model_key: 'text' },
    computed: { track_model_id: 'SELECT m.id FROM track_model m WHERE m.key = x.track_model_key' },
    touch: 'updated_at',
  },
  simLayout: { entity: TrackLayout, key: ['track_id'], touch: 'updated_at' },
});

export interface CatalogPayloads {
  cars: IracingCar[];
  carClasses: IracingCarClass[];
  tracks: IracingTrack[];
}

/** The catalog's source in payload_hash: when it was last stored tells whether it is fresh (CatalogRefsService). */
export const CATALOG_HASH_SOURCE = 'catalog';

/** A model derived from names (car_model, track_model) and the table whose rows hang below it. */
interface ModelFamily {
  table: string;
  child: string;
  /** The child's natural key, and the input field naming the model key it now belongs to. */
  childKey: string;
  modelKey: string;
  fk: string;
}

const CAR_MODELS: ModelFamily = {
  table: 'car_model',
  child: 'sim_car',
  childKey: 'car_id',
  modelKey: 'car_model_key',
  fk: 'car_model_id',
};
const TRACK_MODELS: ModelFamily = {
  table: 'track_model',
  child: 'sim_track',
  childKey: 'package_id',
  modelKey: 'track_model_key',
  fk: 'track_model_id',
};

/**
 * Gives a stored model a new key, in place (its id kept), when all its incoming children now name that one key,
 * no model holds it yet and no incoming child still names the old one: a renamed car or track keeps its model.
 * The upsert that follows writes the model's new name (a key is a function of the names, so it counts as
 * updated). Several models renamed to one key: the oldest takes it, the others are emptied by the upsert of
 * their children and deleted by `deleteEmptyModels`.
 */
async function renameModels(em: EntityManager, f: ModelFamily, children: Record<string, unknown>[]) {
  if (children.length === 0) return;
  const links = children.map((c) => ({ child_id: c[f.childKey], model_key: c[f.modelKey] }));
  await em.query(
    `WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(child_id int, model_key text)),
     cand AS (
       SELECT c.${f.fk} AS id, min(x.model_key) AS new_key
       FROM ${f.child} c JOIN x ON x.child_id = c.${f.childKey}
       GROUP BY c.${f.fk} HAVING count(DISTINCT x.model_key) = 1
     ), r AS (
       SELECT DISTINCT ON (cand.new_key) cand.id, cand.new_key
       FROM cand JOIN ${f.table} m ON m.id = cand.id
       WHERE m.key <> cand.new_key
         AND NOT EXISTS (SELECT 1 FROM ${f.table} o WHERE o.key = cand.new_key)
         AND NOT EXISTS (SELECT 1 FROM x WHERE x.model_key = m.key)
       ORDER BY cand.new_key, cand.id
     )
     UPDATE ${f.table} m SET key = r.new_key FROM r WHERE m.id = r.id`,
    [JSON.stringify(links)],
  );
}

/** Deletes the models no child belongs to any more (their cars or tracks renamed into another model). */
async function deleteEmptyModels(em: EntityManager, f: ModelFamily): Promise<number> {
  const [r] = (await em.query(
    `WITH d AS (
       DELETE FROM ${f.table} m WHERE NOT EXISTS (SELECT 1 FROM ${f.child} c WHERE c.${f.fk} = m.id)
       RETURNING 1
     ) SELECT count(*)::int AS deleted FROM d`,
  )) as { deleted: number }[];
  return r.deleted;
}

@Injectable()
export class CatalogImporter {
  private readonly log = new Logger(CatalogImporter.name);

  constructor(
    private readonly iracing: IracingClient,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** Fetches the three catalog endpoints and imports them as one unit. */
  async sync(options: ImportOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    try {
      // Settled, not raced: a run that failed on one endpoint ends only once the other requests have ended too,
      // so none of them is still asking iRacing (or retrying) after the run is recorded.
      const [cars, carClasses, tracks] = await settleAll([
        this.iracing.getCars(options),
        this.iracing.getCarClasses(options),
        this.iracing.getTracks(options),
      ]);
      report.merge(await this.importPayloads({ cars, carClasses, tracks }, options));
    } catch (err) {
      report.fail('catalog', err);
    }
    return report;
  }

  /** Writes already-fetched payloads in one transaction (rolled back for a dry run). */
  async importPayloads(p: CatalogPayloads, options: ImportOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    const cars = carRows(p.cars);
    const classes = carClassRows(p.carClasses);
    const tracks = trackRows(p.tracks);
    const hash = contentHash(p.cars, p.carClasses, p.tracks);
    await unitTransaction(this.db, options, async (em) => {
      if (!options.refresh && (await storedHash(em, CATALOG_HASH_SOURCE)) === hash) {
        report.unchanged('car_model', cars.carModels.length);
        report.unchanged('sim_car', cars.simCars.length);
        report.unchanged('car_class', classes.carClasses.length);
        report.unchanged('car_class_car', classes.members.length);
        report.unchanged('track_model', tracks.trackModels.length);
        report.unchanged('sim_track', tracks.simTracks.length);
        report.unchanged('sim_layout', tracks.layouts.length);
      } else {
        await this.write(em, cars, classes, tracks, report);
        await storeHash(em, CATALOG_HASH_SOURCE, hash);
      }
    });
    report.unitsSucceeded++;
    return report;
  }

  private async write(
    em: EntityManager,
    cars: ReturnType<typeof carRows>,
    classes: ReturnType<typeof carClassRows>,
    tracks: ReturnType<typeof trackRows>,
    report: ImportReport,
  ): Promise<void> {
    const spec = SPEC(this.db);
    await renameModels(em, CAR_MODELS, cars.simCars);
    report.add('car_model', await bulkUpsert(em, spec.carModel, cars.carModels));
    report.add('sim_car', await bulkUpsert(em, spec.simCar, cars.simCars));
    report.add('car_model', { deleted: await deleteEmptyModels(em, CAR_MODELS) });

    // A class may name a car that car/get did not list: keep what the database knows, report the rest.
    const known = new Set(cars.simCars.map((c) => c.car_id));
    const missing = classes.members.filter((m) => !known.has(m.car_id));
    let members = classes.members;
    if (missing.length) {
      const found = (await em.query('SELECT car_id FROM sim_car WHERE car_id = ANY($1::int[])', [
        missing.map((m) => m.car_id),
      ])) as { car_id: number }[];
      for (const f of found) known.add(f.car_id);
      const unknown = missing.filter((m) => !known.has(m.car_id));
      if (unknown.length) {
        members = classes.members.filter((m) => known.has(m.car_id));
        const list = unknown.map((m) => `${m.car_class_id}:${m.car_id}`).join(', ');
        this.log.warn(`car classes name cars car/get does not list (class:car): ${list}`);
        report.fail(
          'car_class_car',
          ImportError.badData('carclass/get', `unknown cars in car classes (class:car): ${list}`),
        );
      }
    }

    report.add('car_class', await bulkUpsert(em, spec.carClass, classes.carClasses));
    report.add('car_class_car', {
      deleted: await deleteMissing(
        em,
        { table: 'car_class_car', key: { car_class_id: 'int', car_id: 'int' } },
        members,
      ),
    });
    report.add('car_class', {
      deleted: await deleteMissing(
        em,
        { table: 'car_class', key: { car_class_id: 'int' } },
        classes.carClasses,
      ),
    });
    report.add('car_class_car', await bulkUpsert(em, spec.carClassCar, members));

    await renameModels(em, TRACK_MODELS, tracks.simTracks);
    report.add('track_model', await bulkUpsert(em, spec.trackModel, tracks.trackModels));
    report.add('sim_track', await bulkUpsert(em, spec.simTrack, tracks.simTracks));
    report.add('track_model', { deleted: await deleteEmptyModels(em, TRACK_MODELS) });
    report.add('sim_layout', await bulkUpsert(em, spec.simLayout, tracks.layouts));
  }
}
