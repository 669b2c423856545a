// Strength of field per class (docs/architecture.md §4.5) on the synthetic world (seed 1, which has multiclass
// series): a finished multiclass race imported through the sync mutation and served through GraphQL, each class's
// entries and strength of field checked against iRacing's formula applied to its entrants' ratings before the race.
import { ChunkedPayload } from '../../offline/datasets.js';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { ADMIN_KEY, startHarness } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const NOW = new Date();
const WORLD = { seed: 1, scale: 0.1, now: NOW };

/** iRacing's strength of field: the rating whose exponential mean matches the entrants' (k = ln 2 / 1600). */
function strengthOfField(ratings: number[]): number {
  const k = Math.LN2 / 1600;
  return Math.round(Math.log(ratings.length / ratings.reduce((n, r) => n + Math.exp(-r * k), 0)) / k);
}

describe('strength of field per class (synthetic world)', () => {
  let h: Harness;
  // A second instance of the same world: what the replica serves, read without going through it.
  const world = syntheticDataset(WORLD);
  const served = (endpoint: string, params: Record<string, string>): Raw => {
    const p = world.resolve(endpoint, new URLSearchParams(params), { baseUrl: 'http://replica', now: NOW });
    return (p instanceof ChunkedPayload ? p.rows : p) as Raw;
  };

  beforeAll(async () => {
    h = await startHarness({ dataset: syntheticDataset(WORLD), now: () => NOW });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** The first finished solo race of a multiclass season, from its weeks' season results. */
  function multiclassRace(): number {
    for (const season of served('series/seasons', { include_series: 'true' }) as unknown as Raw[]) {
      if (!season.multiclass || season.driver_changes) continue;
      for (const week of season.schedules as Raw[]) {
        const list = served('results/season_results', {
          season_id: String(season.season_id),
          race_week_num: String(week.race_week_num),
        });
        for (const race of (list.results_list as Raw[] | undefined) ?? [])
          if (race.event_type === 5 && (race.car_classes as Raw[]).length > 1)
            return race.subsession_id as number;
      }
    }
    throw new Error('the synthetic world (seed 1) has no finished multiclass solo race');
  }

  it('stores and serves the entries and strength of field of each class of a multiclass race', async () => {
    const id = multiclassRace();
    const payload = served('results/get', { subsession_id: String(id) });
    const queued = await h.data<Raw>(
      `mutation($id: Int!) { syncSubsession(subsessionId: $id) { id } }`,
      { id },
      ADMIN_KEY,
    );
    const run: SyncRunView = await h.waitForRun(queued.syncSubsession.id);
    expect(run.errors).toEqual([]);
    const classes = run.countsByEntity.find((c) => c.entity === 'event_result_class');
    expect(classes?.created).toBe((payload.car_classes as Raw[]).length);

    const q = await h.data<Raw>(
      `query($id: Int!) { subsession(id: $id) { strengthOfField classes { position carClass { id name } entries
         strengthOfField } sessions { simsessionNumber results { carClass { id } iratingBefore } } } }`,
      { id },
    );
    const s = q.subsession;
    const race = (s.sessions as Raw[]).find((x) => x.simsessionNumber === 0) as Raw;
    const given = (payload.car_classes as Raw[]).map((c) => c.car_class_id as number);
    expect((s.classes as Raw[]).map((c) => c.carClass.id)).toEqual(given);
    expect((s.classes as Raw[]).map((c) => c.position)).toEqual(given.map((_, i) => i));
    expect(s.classes.length).toBeGreaterThan(1);
    for (const c of s.classes as Raw[]) {
      const entrants = (race.results as Raw[]).filter((r) => r.carClass.id === c.carClass.id);
      expect(entrants.length).toBeGreaterThan(0);
      expect(c.entries).toBe(entrants.length);
      expect(c.strengthOfField).toBe(strengthOfField(entrants.map((r) => r.iratingBefore as number)));
      expect(c.carClass.name).toEqual(expect.any(String));
    }
    expect(s.strengthOfField).toBe(
      strengthOfField((race.results as Raw[]).map((r) => r.iratingBefore as number)),
    );

    // Imported again: the same rows, nothing written.
    const again = await h.data<Raw>(
      `mutation($id: Int!) { syncSubsession(subsessionId: $id) { id } }`,
      { id },
      ADMIN_KEY,
    );
    const repeat = await h.waitForRun(again.syncSubsession.id);
    expect(repeat.countsByEntity.find((c) => c.entity === 'event_result_class')).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: given.length,
    });
  });
});
