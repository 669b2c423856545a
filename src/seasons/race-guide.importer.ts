// Imports the race guide (`season/race_guide`): each listed session is linked to its race week through
// `season_id` + `race_week_num` (never by track or name) and stored on that week's event instance with its
// session_id and entry count, creating the instance when the schedule did not predict it. A season not yet
// stored is fetched first (`series/season_schedule`), so no event is ever created without its track.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ImportReport, unitTransaction } from '../core/import/import-report.js';
import type { ImportOptions } from '../core/import/import-report.js';
import { IracingClient } from '../iracing/iracing.client.js';
import type { IracingRaceGuide } from '../iracing/iracing.payloads.js';
import { SeasonsImporter } from './seasons.importer.js';

export interface RaceGuideSyncOptions extends ImportOptions {
  /** Sessions from this time (default now), including those still running. */
  from?: Date;
}

type GuideSession = IracingRaceGuide['sessions'][number];

@Injectable()
export class RaceGuideImporter {
  constructor(
    private readonly iracing: IracingClient,
    private readonly seasons: SeasonsImporter,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async sync(options: RaceGuideSyncOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    let guide: IracingRaceGuide;
    try {
      guide = await this.iracing.getRaceGuide(
        { from: options.from ?? new Date(), includeEndAfterFrom: true },
        options,
      );
    } catch (err) {
      report.fail('season/race_guide', err);
      return report;
    }
    report.merge(await this.importGuide(guide.sessions, options));
    return report;
  }

  /** Stores race-guide sessions, fetching the schedules of seasons not stored yet. */
  async importGuide(sessions: GuideSession[], options: ImportOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    const seasonIds = [...new Set(sessions.map((s) => s.season_id))];
    const unknown = (
      (await this.db.query(
        'SELECT x AS season_id FROM unnest($1::int[]) x WHERE NOT EXISTS (SELECT 1 FROM season WHERE season_id = x)',
        [seasonIds],
      )) as { season_id: number }[]
    ).map((r) => r.season_id);
    if (unknown.length) {
      const fetched = await this.seasons.importSchedules(unknown, options);
      // Those seasons' counts belong to this run; their failures show below as sessions without a week.
      report.merge(Object.assign(fetched, { unitsSucceeded: 0 }));
    }

    const rows = sessions.map((s) => ({
      season_id: s.season_id,
      race_week_num: s.race_week_num,
      start_time: s.start_time,
      end_time: s.end_time ?? null,
      session_id: s.session_id ?? null,
      entry_count: s.entry_count ?? null,
      super_session: s.super_session === true,
    }));
    const input = `SELECT DISTINCT ON (g.season_id, g.race_week_num, g.start_time) g.*, e.id AS event_id
      FROM jsonb_to_recordset($1::jsonb) AS g(season_id int, race_week_num int, start_time timestamptz,
        end_time timestamptz, session_id int, entry_count int, super_session boolean)
      LEFT JOIN race_week rw ON rw.season_id = g.season_id AND rw.race_week_num = g.race_week_num
      LEFT JOIN event e ON e.race_week_id = rw.id
      ORDER BY g.season_id, g.race_week_num, g.start_time, g.session_id DESC NULLS LAST`;
    await unitTransaction(this.db, options, async (em) => {
      const unplaced = (await em.query(
        `SELECT season_id, race_week_num, count(*)::int AS n FROM (${input}) m WHERE event_id IS NULL
         GROUP BY season_id, race_week_num ORDER BY season_id, race_week_num`,
        [JSON.stringify(rows)],
      )) as { season_id: number; race_week_num: number; n: number }[];
      for (const u of unplaced) {
        report.fail(`race guide season ${u.season_id} week ${u.race_week_num}`, {
          message: `${u.n} race guide session(s) name season ${u.season_id} week ${u.race_week_num}, which is not stored (its schedule could not be imported or does not list that week)`,
          endpoint: 'season/race_guide',
          retryable: false,
        });
      }
      const [r] = (await em.query(
        `WITH m AS (${input}), w AS (
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
        [JSON.stringify(rows)],
      )) as { created: number; updated: number; placed: number }[];
      report.add('event_instance', {
        created: r.created,
        updated: r.updated,
        unchanged: r.placed - r.created - r.updated,
      });
    });
    report.unitsSucceeded++;
    return report;
  }
}
