// Laps of a subsession's main event (`results/lap_data`, on demand): one call per team (team races) or driver, a
// few at once. A call that fails is recorded as its own failure naming the driver or team, and that one's stored
// laps are kept; the others' laps are written in one transaction. `laps_at` moves only once every driver's laps
// were stored.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { forEachLimit } from '../core/concurrency.js';
import { bulkUpsert, deleteMissing, entityUpserts } from '../core/database/bulk-upsert.js';
import { unitTransaction } from '../core/import/import-report.js';
import type { ImportOptions, ImportReport } from '../core/import/import-report.js';
import { IracingClient } from '../iracing/iracing.client.js';
import { Lap } from './entities/lap.entity.js';
import { lapRows } from './results.mapping.js';
import type { SubsessionBundle } from './results.mapping.js';

/** `results/lap_data` calls (one per driver or team) of one subsession at once. */
const LAP_CONCURRENCY = 4;
/** Laps are stored for the main event only. */
const MAIN = 0;

const SPEC = entityUpserts({
  lap: {
    entity: Lap,
    key: ['subsession_id', 'simsession_number', 'cust_id', 'lap_number'],
    batchSize: 10_000,
  },
});

/** One `results/lap_data` call: a driver (solo race) or a team, and the drivers whose laps it brings. */
interface LapEntry {
  custId?: number;
  teamId?: number;
  custIds: number[];
}

@Injectable()
export class LapsImporter {
  constructor(
    private readonly iracing: IracingClient,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** The laps of the main event of a stored subsession, into `report` (failures per driver or team). */
  async importLaps(b: SubsessionBundle, options: ImportOptions, report: ImportReport): Promise<void> {
    const subsessionId = b.event.subsession_id;
    const laps: ReturnType<typeof lapRows> = [];
    const kept: number[] = [];
    await forEachLimit(lapEntries(b), LAP_CONCURRENCY, async (e) => {
      try {
        const data = await this.iracing.getLapData(
          { subsessionId, simsessionNumber: MAIN, custId: e.custId, teamId: e.teamId },
          options,
        );
        laps.push(...lapRows(subsessionId, MAIN, data.rows, e.custId));
      } catch (err) {
        const who = e.teamId !== undefined ? `team_id ${e.teamId}` : `cust_id ${e.custId}`;
        report.fail(`subsession ${subsessionId} laps of ${who}`, err);
        kept.push(...e.custIds);
      }
    });
    // Integers from the checked payload, written into the scope as a literal array.
    const keep = kept.length
      ? ` AND NOT (t.cust_id = ANY('{${kept.map((c) => Math.trunc(Number(c))).join(',')}}'::int[]))`
      : '';
    await unitTransaction(this.db, options, async (em) => {
      report.add('lap', {
        deleted: await deleteMissing(
          em,
          {
            table: 'lap',
            key: { cust_id: 'int', lap_number: 'int' },
            scope: `t.subsession_id = $2 AND t.simsession_number = ${MAIN}${keep}`,
          },
          laps,
          subsessionId,
        ),
      });
      report.add('lap', await bulkUpsert(em, SPEC(this.db).lap, laps));
      if (!kept.length)
        await em.query('UPDATE event_result SET laps_at = now() WHERE subsession_id = $1', [subsessionId]);
    });
  }
}

/** One call per team of the main event when it is a team race, else one per driver. */
function lapEntries(b: SubsessionBundle): LapEntry[] {
  const teams = b.teams.filter((t) => t.simsession_number === MAIN);
  const drivers = b.drivers.filter((d) => d.simsession_number === MAIN);
  return teams.length
    ? teams.map((t) => ({
        teamId: t.team_id,
        custIds: drivers.filter((d) => d.team_id === t.team_id).map((d) => d.cust_id),
      }))
    : drivers.map((d) => ({ custId: d.cust_id, custIds: [d.cust_id] }));
}
