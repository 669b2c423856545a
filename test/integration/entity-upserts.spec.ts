// Upsert specs read from the entities' metadata (core/database/bulk-upsert.ts) on the migrated database: the
// columns an importer writes come from its entity, less what it must not write (another module's columns, the
// ones set by statements of their own); a misspelt exclusion and rows that lack a column fail loudly instead of
// writing nulls; an unchanged row is counted unchanged and not touched.
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { CarModel } from '../../src/catalog/entities/car-model.entity.js';
import { bulkUpsert, entityUpsertSpec, entityUpserts } from '../../src/core/database/bulk-upsert.js';
import { Session } from '../../src/seasons/entities/event.entity.js';
import { RaceWeek } from '../../src/seasons/entities/race-week.entity.js';
import { startImporterContext } from '../support/importer-context.js';
import type { ImporterContext } from '../support/importer-context.js';

const NOW = new Date('2026-11-19T15:00:00Z');

describe('upsert specs read from the entities', () => {
  let ctx: ImporterContext;

  beforeAll(async () => {
    ctx = await startImporterContext({ dataset: syntheticDataset({ seed: 3, scale: 0.02, now: NOW }) });
  }, 120_000);
  afterAll(async () => {
    await ctx?.close();
  });

  it('writes the columns of the entity less its generated id, timestamps and the excluded ones', () => {
    const week = entityUpsertSpec(ctx.db, {
      entity: RaceWeek,
      key: ['season_id', 'race_week_num'],
      exclude: ['weather_url', /^forecast_/],
      touch: 'updated_at',
    });
    expect(week.table).toBe('race_week');
    const columns = Object.keys(week.columns);
    for (const absent of [
      'id',
      'created_at',
      'updated_at',
      'weather_url',
      'forecast_path',
      'forecast_fetched_at',
    ])
      expect(columns).not.toContain(absent);
    expect(week.columns).toMatchObject({
      season_id: 'integer',
      track_id: 'integer',
      start_time: 'timestamp with time zone',
      car_class_ids: 'integer[]',
      weather: 'jsonb',
      weather_version: 'integer',
    });
    const instance = entityUpsertSpec(ctx.db, {
      entity: Session,
      key: ['event_id', 'start_time'],
      exclude: ['session_id', 'entry_count', 'race_guide_at'],
    });
    expect(Object.keys(instance.columns).sort()).toEqual(
      ['end_time', 'event_id', 'predicted', 'session_minutes', 'start_time', 'super_session'].sort(),
    );
  });

  it('refuses an exclusion that names no column, which would leave the column it meant unprotected', () => {
    expect(() =>
      entityUpsertSpec(ctx.db, { entity: RaceWeek, key: ['season_id'], exclude: ['weather_link'] }),
    ).toThrow('race_week has no column weather_link');
  });

  it('upserts set-based: created, then unchanged and untouched, then updated; rows lacking a column refused', async () => {
    const spec = entityUpserts({ model: { entity: CarModel, key: ['key'], touch: 'updated_at' } })(
      ctx.db,
    ).model;
    expect(spec.columns).toEqual({ key: 'text', make: 'text', model: 'text', name: 'text' });
    const rows = [
      { key: 'acme|one', make: 'Acme', model: 'One', name: 'Acme One' },
      { key: 'acme|two', make: 'Acme', model: 'Two', name: 'Acme Two' },
    ];
    await ctx.db.transaction(async (em) => {
      expect(await bulkUpsert(em, spec, rows)).toEqual({ created: 2, updated: 0, unchanged: 0, deleted: 0 });
    });
    const stamp = async () =>
      (await ctx.rows<{ updated_at: Date }>(`SELECT updated_at FROM car_model WHERE key = 'acme|one'`))[0]
        .updated_at;
    const before = await stamp();
    await ctx.db.transaction(async (em) => {
      expect(await bulkUpsert(em, spec, rows)).toEqual({ created: 0, updated: 0, unchanged: 2, deleted: 0 });
    });
    expect(await stamp()).toEqual(before);
    await ctx.db.transaction(async (em) => {
      const renamed = [{ ...rows[0], name: 'Acme One Evo' }, rows[1]];
      expect(await bulkUpsert(em, spec, renamed)).toEqual({
        created: 0,
        updated: 1,
        unchanged: 1,
        deleted: 0,
      });
    });
    await expect(
      ctx.db.transaction((em) => bulkUpsert(em, spec, [{ key: 'acme|three', make: 'Acme', model: 'Three' }])),
    ).rejects.toThrow('upsert into car_model: the rows have no name');
    expect(await ctx.rows(`SELECT 1 FROM car_model WHERE key = 'acme|three'`)).toEqual([]);
  });
});
