// A linked member's own account, read with their own token (docs/architecture.md §4.15): `member/info` (profile,
// licences, owned car and track packages), `stats/member_summary` and `stats/member_recent_races`, written by the
// members' import of an account (the same as the system account's), then the link's `last_sync_at`. Then, as a
// unit of its own, their history: `member/chart_data` of each licence category and chart, `stats/member_yearly` and
// `stats/member_career` (members/member-history.ts). The member's
// requests spend their own rate-limit budget, never the system account's. A refused access token is refreshed
// once; a refused refresh token leaves the link NEEDS_RELINK and fails the unit without a retry.
import { Injectable } from '@nestjs/common';
import { ImportError } from '../core/import/import-error.js';
import { ImportReport } from '../core/import/import-report.js';
import type { ImportOptions } from '../core/import/import-report.js';
import { IracingOAuth } from '../iracing/iracing-oauth.js';
import { IracingAuthError } from '../iracing/iracing.errors.js';
import { memberSummaryPayload, recentRacesPayload } from '../iracing/iracing.payloads.js';
import { chartDataPayload, memberCareerPayload, memberYearlyPayload } from '../iracing/stats.payloads.js';
import type { IracingChartData } from '../iracing/stats.payloads.js';
import { forEachLimit } from '../core/concurrency.js';
import { CHART_CATEGORIES, CHART_TYPES, historyBasis, MemberHistory } from '../members/member-history.js';
import { memberSummary } from '../members/members.mapping.js';
import { MembersImporter } from '../members/members.importer.js';
import { MemberAccess, RelinkNeededError } from './member-access.service.js';
import { TokenVault } from './token-vault.service.js';

/** History requests in flight for one member (their own rate-limit budget paces them). */
const HISTORY_CONCURRENCY = 3;

/** A link in use is refreshed when its refresh token lapses within this (iRacing's last 7 days). */
export const KEEP_ALIVE_MS = 3 * 24 * 3_600_000;

@Injectable()
export class MemberAccountImporter {
  constructor(
    private readonly oauth: IracingOAuth,
    private readonly access: MemberAccess,
    private readonly vault: TokenVault,
    private readonly members: MembersImporter,
    private readonly history: MemberHistory,
  ) {}

  /** One linked member's account, as one unit. */
  async sync(custId: number, options: ImportOptions = {}): Promise<ImportReport> {
    const report = new ImportReport();
    const unit = `member ${custId}`;
    let basis: string;
    try {
      const link = await this.vault.link(custId);
      if (!link) throw relink(custId, `member ${custId} has no linked iRacing account`);
      if (link.status !== 'ACTIVE')
        throw relink(custId, `member ${custId} must link their iRacing account again (${link.status})`);
      const info = await this.asMember(custId, (token) => this.oauth.memberInfo(token, custId));
      if (info.cust_id !== custId)
        throw ImportError.badData(
          'member/info',
          `member ${custId}'s token answered for member ${info.cust_id}`,
        );
      const params = { cust_id: custId };
      const [summary, recent] = await this.asMember(custId, (token) =>
        Promise.all([
          this.oauth.memberData('stats/member_summary', params, token, memberSummaryPayload, custId),
          this.oauth.memberData('stats/member_recent_races', params, token, recentRacesPayload, custId),
        ]),
      );
      await this.members.importAccount(info, options, report, memberSummary(summary, recent.races));
      if (!options.dryRun) await this.vault.recordSync(custId);
      basis = historyBasis(recent.races.map((r) => r.subsession_id));
    } catch (err) {
      report.fail(unit, err instanceof RelinkNeededError ? relink(custId, err.message) : err);
      return report;
    }
    try {
      // Charts and totals move only when the member races: unchanged recent races (within a week) ask nothing.
      if (options.refresh || !(await this.history.upToDate(custId, basis)))
        await this.history.store(custId, await this.fetchHistory(custId), basis, options, report);
      report.unitsSucceeded++;
    } catch (err) {
      report.fail(
        `member ${custId} history`,
        err instanceof RelinkNeededError ? relink(custId, err.message) : err,
      );
    }
    return report;
  }

  /**
   * The member's yearly and career totals, then their charts (iRating, time-trial rating, licence) in each licence
   * category they have raced in, a few at once.
   */
  private async fetchHistory(custId: number) {
    const params = { cust_id: custId };
    const [yearly, career] = await this.asMember(custId, (token) =>
      Promise.all([
        this.oauth.memberData('stats/member_yearly', params, token, memberYearlyPayload, custId),
        this.oauth.memberData('stats/member_career', params, token, memberCareerPayload, custId),
      ]),
    );
    const raced = new Set(career.stats.filter((c) => c.starts > 0).map((c) => c.category_id));
    const asks = CHART_CATEGORIES.filter((c) => raced.has(c)).flatMap((category) =>
      CHART_TYPES.map((type) => ({ category, type })),
    );
    const charts: IracingChartData[] = new Array<IracingChartData>(asks.length);
    await forEachLimit(asks, HISTORY_CONCURRENCY, async ({ category, type }, i) => {
      charts[i] = await this.asMember(custId, (token) =>
        this.oauth.memberData(
          'member/chart_data',
          { ...params, category_id: category, chart_type: type },
          token,
          chartDataPayload,
          custId,
        ),
      );
    });
    return { charts, yearly: yearly.stats, career: career.stats };
  }

  /**
   * A call with the member's access token (refreshed first when their refresh token lapses soon); iRacing
   * refusing the token forgets it and tries once more with a refreshed one.
   */
  private async asMember<T>(custId: number, call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.access.accessToken(custId, { renewWithinMs: KEEP_ALIVE_MS });
    try {
      return await call(token);
    } catch (err) {
      if (!(err instanceof IracingAuthError)) throw err;
      await this.access.forget(custId);
      return call(await this.access.accessToken(custId));
    }
  }
}

/** A link that needs the racer: not retried (only a new sign-in mends it). */
function relink(custId: number, message: string): ImportError {
  return new ImportError(message, { params: { custId }, retryable: false });
}
