// Unit tests of the members mapping against the recorded iRacing samples (member/info, member_recent_races) and
// hand-written member/get and member_summary rows shaped like iRacing's.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { IracingMemberInfo } from '../iracing/iracing.payloads.js';
import {
  calendarDate,
  licenseKey,
  licenseList,
  licenseView,
  memberSummary,
  minimalProfileRows,
  ownedPackages,
  profileFromInfo,
  profileFromMember,
  recentSubsessionIds,
  summaryView,
} from './members.mapping.js';
import type { RecentRace } from './members.mapping.js';

const sample = <T>(f: string): T =>
  JSON.parse(readFileSync(resolve(process.cwd(), '../shared/iracing-samples', f), 'utf8')) as T;

describe('members mapping', () => {
  const info = sample<IracingMemberInfo>('member-info.json');
  const recent = sample<{ cust_id: number; races: RecentRace[] }>('stats-member_recent_races.json');

  it('maps the recorded member/info to the account profile', () => {
    const row = profileFromInfo(info);
    expect(row).toMatchObject({
      cust_id: 926270,
      display_name: 'Alistair Murray',
      first_name: 'Alistair',
      last_name: 'Murray',
      member_since: '2023-07-31',
      flair_name: 'Scotland',
      flair_id: 237,
      flair_shortname: 'SCT',
      country_code: 'SCT',
    });
    // member/info has no club: the column is left alone rather than cleared.
    expect(row).not.toHaveProperty('club_name');
    expect(row).not.toHaveProperty('summary');
    // Licenses come keyed by category; stored as one list in iRacing's order.
    expect(row.licenses?.map((l) => l.category)).toEqual([
      'oval',
      'sports_car',
      'formula_car',
      'dirt_oval',
      'dirt_road',
    ]);
    // raw keeps what nothing queries, not the columns, the packages, billing or the volatile last login.
    expect(row.raw).toMatchObject({ on_car_name: 'Murray', helmet: expect.any(Object) });
    for (const k of [
      'car_packages',
      'track_packages',
      'other_owned_packages',
      'account',
      'last_login',
      'licenses',
      'flair_id',
      'flair_shortname',
    ])
      expect(row.raw).not.toHaveProperty(k);
  });

  it('exposes the licenses of member/info', () => {
    const sports = licenseList(info.licenses)!.map(licenseView)[1];
    expect(sports).toEqual({
      categoryId: 5,
      category: 'sports_car',
      categoryName: 'Sports Car',
      licenseLevel: 19,
      groupName: 'Class A',
      safetyRating: 3.13,
      iRating: 1601,
      ttRating: 1332,
    });
  });

  it('returns owned package ids, not car ids: package 20 holds two cars', () => {
    const { carPackageIds, trackPackageIds } = ownedPackages(info);
    expect(carPackageIds).toHaveLength(49);
    expect(trackPackageIds).toHaveLength(66);
    expect(carPackageIds).toContain(20);
    const pkg20 = info.car_packages!.find((p) => p.package_id === 20)!;
    expect(pkg20.content_ids).toHaveLength(2);
    expect([...carPackageIds!].sort((a, b) => a - b)).toEqual(carPackageIds);
    expect(ownedPackages({ cust_id: 1 } as IracingMemberInfo)).toEqual({
      carPackageIds: null,
      trackPackageIds: null,
    });
  });

  it('maps a member/get row, leaving the names member/get does not give', () => {
    const row = profileFromMember({
      cust_id: 209179,
      display_name: ' Jane Racer ',
      helmet: { pattern: 1 },
      last_login: '2025-11-20T10:00:00Z',
      member_since: '2010-02-03',
      club_id: 33,
      club_name: 'UK and I',
      ai: false,
      flair_id: 226,
      flair_name: 'United Kingdom',
      flair_shortname: 'GBR',
      flair_country_code: 'GBR',
      licenses: [
        {
          category_id: 5,
          category: 'sports_car',
          license_level: 18,
          safety_rating: 4.01,
          irating: 4201,
          seq: 2,
        },
        { category_id: 1, category: 'oval', license_level: 2, safety_rating: 2.5, irating: 1350, seq: 1 },
      ],
    });
    expect(row).toMatchObject({
      cust_id: 209179,
      display_name: 'Jane Racer',
      member_since: '2010-02-03',
      club_name: 'UK and I',
      country_code: 'GBR',
      flair_id: 226,
      flair_shortname: 'GBR',
      raw: { club_id: 33, ai: false },
    });
    expect(row).not.toHaveProperty('first_name');
    expect(row.licenses?.map((l) => l.category)).toEqual(['oval', 'sports_car']);
    // Without include_licenses member/get has none: the stored licenses are kept.
    expect(profileFromMember({ cust_id: 1, display_name: 'X' })).not.toHaveProperty('licenses');
  });

  it('maps member/get without flair_country_code: the short name is kept, the country code left alone', () => {
    const row = profileFromMember({
      cust_id: 209179,
      display_name: 'Jane Racer',
      flair_id: 226,
      flair_name: 'United Kingdom',
      flair_shortname: 'GBR',
      club_name: null,
      helmet: null,
    });
    expect(row).toMatchObject({ flair_id: 226, flair_name: 'United Kingdom', flair_shortname: 'GBR' });
    expect(row).not.toHaveProperty('country_code');
    // A null is no value: the importer keeps the stored one (COALESCE), and raw gets no null keys.
    expect(row.club_name).toBeNull();
    expect(row.raw).toEqual({});
  });

  it('keeps one license per category, leaving out those that name none', () => {
    const list = licenseList([
      { category_id: 2, category: 'road', irating: null, seq: 2 },
      { irating: 1500, seq: 0 },
      { category_id: 1, category: 'oval', irating: 1350, seq: 1 },
      { category_id: 2, category: 'road', irating: 2100, seq: 2 },
      { category: 'dirt_road', irating: 900, seq: 3 },
      'not a license',
    ]);
    expect(list?.map((l) => [licenseKey(l), l.irating])).toEqual([
      ['1', 1350],
      ['2', 2100],
      ['dirt_road', 900],
    ]);
  });

  it('summarises the recorded recent races and this year', () => {
    expect(recentSubsessionIds(recent.races)).toEqual([
      81425604, 81289030, 81288616, 81220117, 81200966, 81198433, 81124243, 81123625, 81095539, 81053323,
    ]);
    const thisYear = {
      num_official_sessions: 42,
      num_league_sessions: 3,
      num_official_wins: 5,
      num_league_wins: 1,
    };
    const stored = memberSummary({ cust_id: recent.cust_id, this_year: thisYear }, recent.races);
    const finishes = recent.races.map((r) => r.finish_position as number);
    const recentPart = stored.recent as Record<string, unknown>;
    expect(stored.this_year).toEqual(thisYear);
    expect(recentPart).toMatchObject({
      starts: 10,
      wins: finishes.filter((p) => p === 1).length,
      top5: finishes.filter((p) => p <= 5).length,
      last_race_at: '2025-11-22T07:00:00Z',
    });
    expect(recentPart.avg_finish).toBeCloseTo(finishes.reduce((a, b) => a + b, 0) / finishes.length, 2);

    const at = new Date('2025-11-23T00:00:00Z');
    const view = summaryView(JSON.parse(JSON.stringify(stored)) as Record<string, unknown>, at);
    expect(view).toMatchObject({
      officialSessionsThisYear: 42,
      officialWinsThisYear: 5,
      leagueSessionsThisYear: 3,
      leagueWinsThisYear: 1,
      recentStarts: 10,
      lastRaceAt: new Date('2025-11-22T07:00:00Z'),
      fetchedAt: at,
    });
    expect(summaryView(null, null)).toBeNull();
    expect(memberSummary({ cust_id: 1 }, [])).toEqual({
      this_year: null,
      recent: {
        starts: 0,
        wins: 0,
        top5: 0,
        avg_finish: null,
        avg_incidents: null,
        laps_led: 0,
        last_race_at: null,
      },
    });
  });

  it('reads member_since as a calendar date', () => {
    expect(calendarDate('2023-07-31')).toBe('2023-07-31');
    expect(calendarDate('2023-07-31T15:20:46Z')).toBe('2023-07-31');
    expect(calendarDate('31/07/2023')).toBeNull();
    expect(calendarDate(null)).toBeNull();
  });

  it('builds one minimal profile per participant, sorted, keeping a name over a missing one', () => {
    expect(
      minimalProfileRows([
        { cust_id: 3, display_name: 'C' },
        { cust_id: 1, display_name: 'A' },
        { cust_id: 3, display_name: null },
        { cust_id: 2, display_name: ' ' },
      ]),
    ).toEqual([
      { cust_id: 1, display_name: 'A' },
      { cust_id: 2, display_name: null },
      { cust_id: 3, display_name: 'C' },
    ]);
  });
});
