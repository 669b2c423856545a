// A racer's plan (docs/architecture.md §6.9): planned sessions (a race week and a start) and planned weeks (a race
// week and a car). Each item keeps the signature of its week when planned (track, cars, classes, session times, the
// cars it allows); a later sync that changes any of them, drops the planned start or the week, shows the item as
// changed with what changed. Overlapping planned sessions are flagged. Listing the plan is one statement.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BadInputError, NotFoundError } from '../core/errors/domain-error.js';
import { sqlRows } from '../accounts/accounts.sql.js';
import type { PlanItem } from './dto/planner.types.js';
import { localDateTime } from './local-time.js';

/**
 * The parts of a week a plan depends on, each hashed: `track:…|cars:…|classes:…|times:…|allowed:…`. `allowed` is
 * the cars the week allows (its own list for a rotating-car week, else its classes' cars), so that a catalog sync
 * adding a car to one of its classes, or taking one out, changes it though the week's row did not change.
 */
export const WEEK_SIGNATURE = `concat_ws('|', 'track:' || rw.track_id, 'cars:' || md5(rw.car_ids::text),
  'classes:' || md5(rw.car_class_ids::text), 'times:' || md5(rw.race_time_descriptors::text),
  'allowed:' || md5((CASE WHEN cardinality(rw.car_ids) > 0 THEN rw.car_ids ELSE ARRAY(
    SELECT DISTINCT m.car_id FROM car_class_car m WHERE m.car_class_id = ANY(rw.car_class_ids) ORDER BY 1) END)::text))`;
const PART_NAMES: Record<string, string> = {
  track: 'the track',
  cars: 'the cars',
  classes: 'the car classes',
  times: 'the session times',
  allowed: 'the cars',
};
/** A session without a length is taken to last this long when looking for overlaps. */
const DEFAULT_SESSION_MINUTES = 60;
const MAX_PLAN_DAYS = 400;

interface PlanRow {
  id: number;
  kind: 'SESSION' | 'WEEK';
  race_week_id: number;
  start_time: Date | null;
  car_id: number | null;
  signature: string;
  current: string | null;
  session_pk: number | null;
  session_end: Date | null;
}

/**
 * What changed between a planned signature and the week's current one, or null. A part the planned signature does
 * not have (an item planned before that part was kept) is not known to have changed.
 */
export function changeOf(planned: string, current: string | null): string | null {
  if (current === null) return 'the race week is no longer on the schedule';
  if (planned === current) return null;
  const parts = (s: string) => new Map(s.split('|').map((p) => [p.slice(0, p.indexOf(':')), p]));
  const a = parts(planned);
  const b = parts(current);
  const changed = [
    ...new Set([...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k)).map((k) => PART_NAMES[k] ?? k)),
  ];
  return changed.length ? `${changed.join(', ')} changed since it was planned` : null;
}

/** For each planned session, the ids of the other planned sessions it overlaps. */
export function overlaps(items: readonly { id: number; start: Date; end: Date }[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  const sorted = [...items].sort((x, y) => x.start.getTime() - y.start.getTime() || x.id - y.id);
  for (let i = 0; i < sorted.length; i++)
    for (let j = i + 1; j < sorted.length && sorted[j].start < sorted[i].end; j++) {
      out.set(sorted[i].id, [...(out.get(sorted[i].id) ?? []), sorted[j].id]);
      out.set(sorted[j].id, [...(out.get(sorted[j].id) ?? []), sorted[i].id]);
    }
  for (const list of out.values()) list.sort((x, y) => x - y);
  return out;
}

@Injectable()
export class PlanService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Plans a session of the calendar (by Session.id), with a car when given; planning again refreshes it. */
  async planSession(custId: number, sessionId: number, carId?: number | null): Promise<number> {
    const [s] = (await this.db.query(
      `SELECT rw.id AS race_week_id, i.start_time, ${WEEK_SIGNATURE} AS signature, rw.car_ids, rw.car_class_ids
       FROM event_instance i JOIN event e ON e.id = i.event_id JOIN race_week rw ON rw.id = e.race_week_id
       WHERE i.id = $1`,
      [sessionId],
    )) as { race_week_id: number; start_time: Date; signature: string }[];
    if (!s) throw new NotFoundError('Session', sessionId);
    if (carId != null) await this.checkCar(s.race_week_id, carId);
    const [row] = (await this.db.query(
      `INSERT INTO planner_plan_item (cust_id, kind, race_week_id, start_time, car_id, signature)
       VALUES ($1, 'SESSION', $2, $3, $4, $5)
       ON CONFLICT (cust_id, race_week_id, start_time) WHERE kind = 'SESSION'
       DO UPDATE SET car_id = EXCLUDED.car_id, signature = EXCLUDED.signature, updated_at = now()
       RETURNING id`,
      [custId, s.race_week_id, s.start_time, carId ?? null, s.signature],
    )) as { id: number }[];
    return row.id;
  }

  /** Plans a whole race week with the car the racer means to race; planning again refreshes it. */
  async planWeek(custId: number, raceWeekId: number, carId: number): Promise<number> {
    const [w] = (await this.db.query(
      `SELECT ${WEEK_SIGNATURE} AS signature FROM race_week rw WHERE rw.id = $1`,
      [raceWeekId],
    )) as { signature: string }[];
    if (!w) throw new NotFoundError('RaceWeek', raceWeekId);
    await this.checkCar(raceWeekId, carId);
    const [row] = (await this.db.query(
      `INSERT INTO planner_plan_item (cust_id, kind, race_week_id, car_id, signature)
       VALUES ($1, 'WEEK', $2, $3, $4)
       ON CONFLICT (cust_id, race_week_id) WHERE kind = 'WEEK'
       DO UPDATE SET car_id = EXCLUDED.car_id, signature = EXCLUDED.signature, updated_at = now()
       RETURNING id`,
      [custId, raceWeekId, carId, w.signature],
    )) as { id: number }[];
    return row.id;
  }

  /** Removes a planned session (by Session.id) or, with its id, any plan item; false when none was planned. */
  async unplanSession(custId: number, sessionId: number): Promise<boolean> {
    const rows = await sqlRows(
      this.db,
      `DELETE FROM planner_plan_item p USING event_instance i JOIN event e ON e.id = i.event_id
       WHERE i.id = $2 AND p.cust_id = $1 AND p.kind = 'SESSION' AND p.race_week_id = e.race_week_id
         AND p.start_time = i.start_time RETURNING p.id`,
      [custId, sessionId],
    );
    return rows.length > 0;
  }

  async unplanWeek(custId: number, raceWeekId: number): Promise<boolean> {
    const rows = await sqlRows(
      this.db,
      `DELETE FROM planner_plan_item WHERE cust_id = $1 AND kind = 'WEEK' AND race_week_id = $2 RETURNING id`,
      [custId, raceWeekId],
    );
    return rows.length > 0;
  }

  /** Deletes every plan item of a racer (an unlink); how many. */
  async forget(custId: number): Promise<number> {
    return (await sqlRows(this.db, `DELETE FROM planner_plan_item WHERE cust_id = $1 RETURNING id`, [custId]))
      .length;
  }

  /**
   * The plan between `from` and `to` (planned sessions starting then, planned weeks overlapping it), in start order,
   * each with what changed since it was planned and the planned sessions it overlaps. One statement.
   */
  async list(custId: number, from: Date, to: Date, timeZone: string): Promise<PlanItem[]> {
    if (!(to > from)) throw new BadInputError('to must be after from');
    if (to.getTime() - from.getTime() > MAX_PLAN_DAYS * 86_400_000)
      throw new BadInputError(`the plan is listed at most ${MAX_PLAN_DAYS} days at a time`);
    const rows = (await this.db.query(
      `SELECT p.id, p.kind, p.race_week_id, p.start_time, p.car_id, p.signature,
              CASE WHEN rw.id IS NULL THEN NULL ELSE ${WEEK_SIGNATURE} END AS current,
              s.id AS session_pk,
              COALESCE(s.end_time, s.start_time + make_interval(mins => COALESCE(s.session_minutes, $4))) AS session_end
       FROM planner_plan_item p
       LEFT JOIN race_week rw ON rw.id = p.race_week_id
       LEFT JOIN LATERAL (
         SELECT i.id, i.start_time, i.end_time, i.session_minutes FROM event_instance i JOIN event e ON e.id = i.event_id
         WHERE p.kind = 'SESSION' AND e.race_week_id = p.race_week_id AND i.start_time = p.start_time
         ORDER BY i.id LIMIT 1) s ON TRUE
       WHERE p.cust_id = $1
         AND ((p.kind = 'SESSION' AND p.start_time >= $2 AND p.start_time < $3)
           OR (p.kind = 'WEEK' AND (rw.id IS NULL OR (rw.end_time > $2 AND rw.start_time < $3))))
       ORDER BY COALESCE(p.start_time, rw.start_time), p.id`,
      [custId, from, to, DEFAULT_SESSION_MINUTES],
    )) as PlanRow[];
    const sessions = rows
      .filter((r) => r.kind === 'SESSION' && r.start_time)
      .map((r) => ({
        id: r.id,
        start: r.start_time!,
        end: r.session_end ?? new Date(r.start_time!.getTime() + DEFAULT_SESSION_MINUTES * 60_000),
      }));
    const overlapping = overlaps(sessions);
    return rows.map((r) => toItem(r, overlapping.get(r.id) ?? [], timeZone));
  }

  /** A car the week allows (its own list for rotating-car series, else its classes' cars). */
  private async checkCar(raceWeekId: number, carId: number): Promise<void> {
    const [ok] = (await this.db.query(
      `SELECT 1 FROM race_week rw WHERE rw.id = $1 AND (
         CASE WHEN cardinality(rw.car_ids) > 0 THEN $2 = ANY(rw.car_ids)
              ELSE EXISTS (SELECT 1 FROM car_class_car m WHERE m.car_id = $2 AND m.car_class_id = ANY(rw.car_class_ids)) END)`,
      [raceWeekId, carId],
    )) as unknown[];
    if (!ok) throw new BadInputError(`car ${carId} is not allowed in race week ${raceWeekId}`, { carId });
  }
}

function toItem(r: PlanRow, overlapsWith: number[], timeZone: string): PlanItem {
  let changeReason = changeOf(r.signature, r.current);
  if (!changeReason && r.kind === 'SESSION' && r.session_pk === null)
    changeReason = 'the planned start is no longer on the schedule';
  return {
    id: r.id,
    kind: r.kind,
    raceWeekId: r.race_week_id,
    carId: r.car_id,
    raceWeek: null,
    session: null,
    sessionPk: r.session_pk,
    startTime: r.start_time,
    localStartTime: r.start_time ? localDateTime(r.start_time, timeZone) : null,
    changed: changeReason !== null,
    changeReason,
    overlapsWith,
  } as PlanItem;
}
