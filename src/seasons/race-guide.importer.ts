// Imports the race guide (`season/race_guide`): each listed session is linked to its race week through
// `season_id` + `race_week_num` (never by track or name) and stored on that week's event instance with its
// session_id and entry count (SessionsService), creating the instance when the schedule did not predict it. A
// season not yet stored is fetched first (`series/season_schedule`), so no event is ever created without its track.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ImportError } from '../core/import/import-error.js';
import { ImportReport, unitTransaction } from '../core/import/import-report.js';
import type { ImportOptions } from '../core/import/import-report.js';
import { IracingClient } from '../iracing/iracing.client.js';
import type { IracingRaceGuide } from '../iracing/iracing.payloads.js';
import { SeasonsImporter } from './seasons.importer.js';
import { SessionsService } from './sessions.service.js';
import type { GuideSession } from './sessions.service.js';

export interface RaceGuideSyncOptions extends ImportOptions {
  /** Sessions from this time (default now), including those still running. */
  from?: Date;
}

type ListedSession = IracingRaceGuide['sessions'][number];

@Injectable()
export class RaceGuideImporter {
  constructor(
    private readonly iracing: IracingClient,
    private readonly seasons: SeasonsImporter,
    private readonly sessions: SessionsService,
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
  async importGuide(listed: ListedSession[], options: ImportOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    // Those seasons' counts belong to this run; their failures show below as sessions without a week.
    const fetched = await this.seasons.ensureSeasons(
      listed.map((s) => s.season_id),
      options,
    );
    report.merge(fetched, { units: false });
    const sessions: GuideSession[] = listed.map((s) => ({
      season_id: s.season_id,
      race_week_num: s.race_week_num,
      start_time: s.start_time,
      end_time: s.end_time ?? null,
      session_id: s.session_id ?? null,
      entry_count: s.entry_count ?? null,
      super_session: s.super_session === true,
    }));
    await unitTransaction(this.db, options, async (em) => {
      const stored = await this.sessions.storeGuideSessions(em, sessions);
      for (const u of stored.unplaced)
        report.fail(
          `race guide season ${u.season_id} week ${u.race_week_num}`,
          ImportError.badData(
            'season/race_guide',
            `${u.n} race guide session(s) name season ${u.season_id} week ${u.race_week_num}, which is not stored (its schedule could not be imported or does not list that week)`,
          ),
        );
      report.add('event_instance', stored.counts);
    });
    report.unitsSucceeded++;
    return report;
  }
}
