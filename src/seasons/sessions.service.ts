// The sessions (event instances) other sources than the schedule tell about: the race guide (session_id, entry
// count), season results and subsessions (the session a result belongs to). The one writer of event_instance
// besides the schedule (seasons.writer.ts, which predicts them): other modules ask here, in their own unit
// transaction, never write the table themselves. A session is placed by season and race week, never by track.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Queryable, WriteCounts } from '../core/database/bulk-upsert.js';
import { zeroCounts } from '../core/database/bulk-upsert.js';

/** A session a result names: its week's start time and, when iRacing gave one, its session_id. */
export interface SessionRef {
  race_week_num: number;
  start_time: string | Date;
  session_id: number | null;
}

/** A session the race guide lists. */
export interface GuideSession {
  season_id: number;
  race_week_num: number;
  start_time: string;
  end_time: string | null;
  session_id: number | null;
  entry_count: number | null;
  super_session: boolean;
}

/** What storing the race guide's sessions did, and the weeks it could not place (not stored). */
export interface StoredGuideSessions {
  counts: WriteCounts;
  unplaced: { season_id: number; race_week_num: number; n: number }[];
}

/** Race-guide sessions with their event (null when their week is not stored), one per week and start. */
const GUIDE_INPUT = `SELECT DISTINCT ON (g.season_id, g.race_week_num, g.start_time) g.*, e.id AS event_id
  FROM jsonb_to_recordset($1::jsonb) AS g(season_id int, race_week_num int, start_time timestamptz,
    end_time timestamptz, session_id int, entry_count int, super_session boolean)
  LEFT JOIN race_week rw ON rw.season_id = g.season_id AND rw.race_week_num = g.race_week_num
  LEFT JOIN event e ON e.race_week_id = rw.id
  ORDER BY g.season_id, g.race_week_num, g.start_time, g.session_id DESC NULLS LAST`;

@Injectable()
export class SessionsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The event of a season's race week, or null when that week is not stored. */
  async eventOfWeek(seasonId: number, raceWeekNum: number, db: Queryable = this.db): Promise<number | null> {
    const rows = (await db.query(
      `SELECT e.id FROM event e JOIN race_week rw ON rw.id = e.race_week_id
       WHERE rw.season_id = $1 AND rw.race_week_num = $2`,
      [seasonId, raceWeekNum],
    )) as { id: number }[];
    return rows[0]?.id ?? null;
  }

  /**
   * Ensures these sessions of a season exist (`results/season_results`): each is matched to its week's session at
   * that start, which gets the session_id; a session the schedule did not predict is created (not predicted).
   * Splits of one session are several rows but one session. `unplaced`: rows of weeks the season does not have.
   */
  async ensureSessions(
    em: Queryable,
    seasonId: number,
    sessions: SessionRef[],
  ): Promise<{ counts: WriteCounts; unplaced: number }> {
    const [r] = (await em.query(
      `WITH x AS (
         SELECT DISTINCT ON (e.id, g.start_time) e.id AS event_id, g.start_time, g.session_id
         FROM jsonb_to_recordset($1::jsonb) AS g(race_week_num int, start_time timestamptz, session_id int)
         JOIN race_week rw ON rw.season_id = $2 AND rw.race_week_num = g.race_week_num
         JOIN event e ON e.race_week_id = rw.id
         ORDER BY e.id, g.start_time, g.session_id
       ), w AS (
         INSERT INTO event_instance AS t (event_id, start_time, predicted, session_id)
         SELECT event_id, start_time, false, session_id FROM x
         ON CONFLICT (event_id, start_time) DO UPDATE SET session_id = EXCLUDED.session_id, updated_at = now()
         WHERE t.session_id IS DISTINCT FROM EXCLUDED.session_id AND EXCLUDED.session_id IS NOT NULL
         RETURNING (xmax = 0) AS inserted
       ) SELECT count(*) FILTER (WHERE inserted)::int AS created, count(*) FILTER (WHERE NOT inserted)::int AS updated,
                (SELECT count(*)::int FROM x) AS matched,
                (SELECT count(*)::int FROM jsonb_to_recordset($1::jsonb) AS g(race_week_num int)
                  WHERE NOT EXISTS (SELECT 1 FROM race_week rw JOIN event e ON e.race_week_id = rw.id
                                    WHERE rw.season_id = $2 AND rw.race_week_num = g.race_week_num)) AS unplaced
         FROM w`,
      [JSON.stringify(sessions), seasonId],
    )) as { created: number; updated: number; matched: number; unplaced: number }[];
    return {
      counts: {
        ...zeroCounts(),
        created: r.created,
        updated: r.updated,
        unchanged: r.matched - r.created - r.updated,
      },
      unplaced: r.unplaced,
    };
  }

  /**
   * The session of one result (a subsession) in `eventId`: found by its session_id, else the session at its start
   * (created, not predicted, when the schedule did not predict it), which then gets the session_id.
   */
  async linkInstance(
    em: Queryable,
    eventId: number,
    session: Omit<SessionRef, 'race_week_num'>,
  ): Promise<{ id: number; counts: Partial<WriteCounts> }> {
    if (session.session_id !== null) {
      const bySession = (await em.query(
        'SELECT id FROM event_instance WHERE session_id = $1 AND event_id = $2 LIMIT 1',
        [session.session_id, eventId],
      )) as { id: number }[];
      if (bySession.length) return { id: bySession[0].id, counts: {} };
    }
    const rows = (await em.query(
      `INSERT INTO event_instance AS t (event_id, start_time, predicted, session_id)
       VALUES ($1, $2, false, $3)
       ON CONFLICT (event_id, start_time) DO UPDATE SET session_id = EXCLUDED.session_id, updated_at = now()
       WHERE t.session_id IS NULL AND EXCLUDED.session_id IS NOT NULL
       RETURNING id, (xmax = 0) AS inserted`,
      [eventId, session.start_time, session.session_id],
    )) as { id: number; inserted: boolean }[];
    if (rows.length) return { id: rows[0].id, counts: rows[0].inserted ? { created: 1 } : { updated: 1 } };
    const [existing] = (await em.query(
      'SELECT id FROM event_instance WHERE event_id = $1 AND start_time = $2',
      [eventId, session.start_time],
    )) as { id: number }[];
    return { id: existing.id, counts: {} };
  }

  /**
   * Stores the race guide's sessions on their week's event: session_id, entry count and `race_guide_at` on the
   * predicted session, or a new session (not predicted). A value the guide does not give keeps the stored one.
   */
  async storeGuideSessions(em: Queryable, sessions: GuideSession[]): Promise<StoredGuideSessions> {
    const input = JSON.stringify(sessions);
    const unplaced = (await em.query(
      `SELECT season_id, race_week_num, count(*)::int AS n FROM (${GUIDE_INPUT}) m WHERE event_id IS NULL
       GROUP BY season_id, race_week_num ORDER BY season_id, race_week_num`,
      [input],
    )) as { season_id: number; race_week_num: number; n: number }[];
    const [r] = (await em.query(
      `WITH m AS (${GUIDE_INPUT}), w AS (
         INSERT INTO event_instance AS t (event_id, start_time, end_time, session_minutes, super_session,
           predicted, session_id, entry_count, race_guide_at)
         SELECT event_id, start_time, end_time,
                CASE WHEN end_time IS NULL THEN NULL ELSE (extract(epoch FROM end_time - start_time) / 60)::int END,
                super_session, false, session_id, entry_count, now()
         FROM m WHERE event_id IS NOT NULL
         ON CONFLICT (event_id, start_time) DO UPDATE SET
           session_id = COALESCE(EXCLUDED.session_id, t.session_id),
           entry_count = COALESCE(EXCLUDED.entry_count, t.entry_count),
           super_session = EXCLUDED.super_session OR t.super_session,
           end_time = COALESCE(t.end_time, EXCLUDED.end_time),
           race_guide_at = now(), updated_at = now()
         WHERE (t.session_id, t.entry_count, t.super_session) IS DISTINCT FROM
               (COALESCE(EXCLUDED.session_id, t.session_id), COALESCE(EXCLUDED.entry_count, t.entry_count),
                EXCLUDED.super_session OR t.super_session)
         RETURNING (xmax = 0) AS inserted
       ) SELECT count(*) FILTER (WHERE inserted)::int AS created,
                count(*) FILTER (WHERE NOT inserted)::int AS updated,
                (SELECT count(*)::int FROM m WHERE event_id IS NOT NULL) AS placed FROM w`,
      [input],
    )) as { created: number; updated: number; placed: number }[];
    return {
      counts: {
        ...zeroCounts(),
        created: r.created,
        updated: r.updated,
        unchanged: r.placed - r.created - r.updated,
      },
      unplaced,
    };
  }
}
