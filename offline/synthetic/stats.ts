// Synthetic statistics derived from the simulated results (results.ts), so that they add up to what the replica
// serves as results/get, results/season_results and stats/member_recent_races: a season's driver standings per car
// class (stats/season_driver_standings), a member's rating charts (member/chart_data), results totals per year and
// category and over the career (stats/member_yearly, stats/member_career) and every member's best laps with a car
// at a track (stats/world_records). Shapes follow iRacing's (docs/architecture.md §5.2, §5.8: lap times in
// 1/10000 s, positions 1-based in averages); everything is a pure function of (world, parameters, now).
import {
  CATEGORY_IDS,
  CATEGORY_TITLES,
  clamp,
  groupOfLevel,
  isoDay,
  isoTime,
  LICENSE_CATEGORIES,
  WEEK,
  type Row,
  type SeriesCategory,
} from './common.js';
import { divisionOf, type Member } from './members.js';
import {
  champPoints,
  driverSlice,
  iratingDelta,
  memberRaces,
  outcome,
  seasonNames,
  simSpecs,
  simulate,
  subsessionsOfSession,
  summaryOf,
  type MemberRace,
  type Perf,
  type Subsession,
} from './results.js';
import type { SeasonPlan } from './seasons.js';
import type { World } from './world.js';

const round2 = (v: number): number => Math.round(v * 100) / 100;
const mean = (sum: number, n: number): number => (n > 0 ? sum / n : 0);
const pct = (part: number, whole: number): number => (whole > 0 ? round2((part * 100) / whole) : 0);

/** The licence a stats row carries: the member's licence in a category, as member/get describes it. */
function statsLicense(m: Member, category: SeriesCategory): Row {
  const l = m.licenses[category];
  const group = groupOfLevel(l.level);
  return {
    category_id: CATEGORY_IDS[category],
    license_level: l.level,
    safety_rating: l.sub / 100,
    irating: l.irating,
    color: group.color,
    group_name: group.name,
    group_id: group.id,
  };
}

/** The new sub level (safety rating × 100) after a race with these incidents, as results/get computes it. */
const newSubLevel = (sub: number, incidents: number): number =>
  clamp(sub + clamp((4 - incidents) * 3, -40, 20), 1, 499);

/**
 * The finished race subsessions of a season (one week with `raceWeek`), exactly those results/season_results
 * lists, in its order.
 */
export function seasonSubsessions(
  world: World,
  season: SeasonPlan,
  raceWeek: number | undefined,
  now: number,
): Subsession[] {
  const out: Subsession[] = [];
  for (const week of season.weeks) {
    if (raceWeek !== undefined && week.num !== raceWeek) continue;
    if (week.start > now) break;
    for (const s of world.sessionsBetween(season.series, week.start, Math.min(week.start + WEEK, now)))
      out.push(...subsessionsOfSession(world, s, now));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// stats/season_driver_standings

interface Tally {
  member: Member;
  starts: number;
  wins: number;
  top5: number;
  top25: number;
  poles: number;
  startSum: number;
  finishSum: number;
  fieldSum: number;
  laps: number;
  lapsLed: number;
  incidents: number;
  /** Champ points of each race, by race week. */
  weekPoints: Map<number, number[]>;
}

/** Points of a week: the mean of the best quarter (rounded up) of its races' points, rounded. */
function weeklyPoints(points: number[]): number {
  const best = [...points].sort((a, b) => b - a).slice(0, Math.ceil(points.length / 4));
  return Math.round(best.reduce((s, p) => s + p, 0) / best.length);
}

/**
 * Every driver's standing in a car class of a season (of one race week with `raceWeek`), all divisions, without
 * `rank`, in standings order: points, wins and starts descending, then cust_id. Built from the race results of
 * `seasonSubsessions`: a team's drivers each get the team's result (positions, points from their own laps like
 * results/get's `driver_results`), with their own laps, laps led and incidents. Weekly points are the mean of the
 * best quarter of the week's race points; the season counts the best `season weeks − 4` weeks.
 */
export function seasonDriverStandings(
  world: World,
  season: SeasonPlan,
  carClassId: number,
  raceWeek: number | undefined,
  now: number,
): Row[] {
  const series = season.series;
  const tallies = new Map<number, Tally>();
  for (const sub of seasonSubsessions(world, season, raceWeek, now)) {
    if (!sub.entrants.some((e) => e.classId === carClassId)) continue;
    const { race, outcome: o } = summaryOf(world, sub);
    const entries = o.classCount.get(carClassId) ?? 0;
    const week = sub.session.week.num;
    for (const perf of race.perfs) {
      const e = perf.entrant;
      if (e.classId !== carClassId) continue;
      e.drivers.forEach((member, i) => {
        const slice = e.team ? { ...driverSlice(perf, i), classPosition: perf.classPosition } : perf;
        let t = tallies.get(member.index);
        if (!t) {
          t = {
            member,
            starts: 0,
            wins: 0,
            top5: 0,
            top25: 0,
            poles: 0,
            startSum: 0,
            finishSum: 0,
            fieldSum: 0,
            laps: 0,
            lapsLed: 0,
            incidents: 0,
            weekPoints: new Map(),
          };
          tallies.set(member.index, t);
        }
        t.starts++;
        if (perf.classPosition === 0) t.wins++;
        if (perf.classPosition < 5) t.top5++;
        if (perf.classPosition < Math.ceil(entries / 4)) t.top25++;
        if (perf.startPosInClass === 0) t.poles++;
        t.startSum += perf.startPosInClass + 1;
        t.finishSum += perf.classPosition + 1;
        t.fieldSum += entries;
        t.laps += slice.lapsComplete;
        t.lapsLed += slice.lapsLed;
        t.incidents += slice.incidents;
        const list = t.weekPoints.get(week) ?? [];
        list.push(champPoints(slice, o));
        t.weekPoints.set(week, list);
      });
    }
  }
  const firstWeek = season.weeks[0]?.start ?? season.start;
  const countable = Math.max(1, season.weeks.length - 4);
  const rows = [...tallies.values()].map((t) => {
    const m = t.member;
    const weekly = [...t.weekPoints.values()].map(weeklyPoints).sort((a, b) => b - a);
    const weeksCounted = raceWeek !== undefined ? 1 : Math.min(weekly.length, countable);
    const points = weekly.slice(0, weeksCounted).reduce((s, p) => s + p, 0);
    return {
      cust_id: m.custId,
      display_name: m.displayName,
      division: divisionOf(world.members.iratingAt(m, series.category, firstWeek)),
      club_id: m.clubId,
      club_name: m.clubName,
      license: statsLicense(m, series.category),
      weeks_counted: weeksCounted,
      starts: t.starts,
      wins: t.wins,
      top5: t.top5,
      top25_percent: t.top25,
      poles: t.poles,
      avg_start_position: round2(mean(t.startSum, t.starts)),
      avg_finish_position: round2(mean(t.finishSum, t.starts)),
      avg_field_size: round2(mean(t.fieldSum, t.starts)),
      laps: t.laps,
      laps_led: t.lapsLed,
      incidents: t.incidents,
      points,
      week_dropped: weekly.length > weeksCounted,
      country_code: m.country[0],
      country: m.country[3],
    };
  });
  rows.sort((a, b) => b.points - a.points || b.wins - a.wins || b.starts - a.starts || a.cust_id - b.cust_id);
  return rows;
}

/** What stats/season_driver_standings asks for, besides the season. */
export interface StandingsQuery {
  carClassId: number;
  /** 0-based (0 = Division 1); every division when absent. */
  division?: number;
  raceWeek?: number;
}

/**
 * `stats/season_driver_standings`: the header (minus chunk_info) and the ranked rows of one division or all;
 * undefined when the car class is not one of the season's.
 */
export function driverStandings(
  world: World,
  season: SeasonPlan,
  q: StandingsQuery,
  now: number,
  baseUrl: string,
): { header: Row; rows: Row[] } | undefined {
  const series = season.series;
  if (!series.classIds.includes(q.carClassId)) return undefined;
  const names = seasonNames(season);
  const all = seasonDriverStandings(world, season, q.carClassId, q.raceWeek, now);
  const kept = q.division === undefined ? all : all.filter((r) => r.division === q.division);
  const week = q.raceWeek ?? -1;
  const division = q.division ?? -1;
  const header: Row = {
    success: true,
    season_id: season.seasonId,
    season_name: names.name,
    season_short_name: names.short,
    series_id: series.seriesId,
    series_name: series.name,
    car_class_id: q.carClassId,
    race_week_num: week,
    division,
    club_id: -1,
    customer_rank: -1,
    last_updated: isoTime(now),
    csv_url:
      `${baseUrl}/files/standings/season-driver/${season.seasonId}/${q.carClassId}/` +
      `${week < 0 ? 'all' : week}/${division < 0 ? 'all' : division}/export.csv`,
  };
  return { header, rows: kept.map((r, i) => ({ rank: i + 1, ...r })) };
}

// ---------------------------------------------------------------------------------------------------------------
// member/chart_data

/** A member's race as results/get reports it for that member: the new iRating and new sub level. */
function ratingsAfter(world: World, r: MemberRace): { irating: number; sub: number; level: number } {
  const { sub, perf, driver } = r;
  const category = sub.session.series.category;
  const d = perf.entrant.drivers[driver];
  const o = outcome(sub.entrants);
  const oldIr = world.members.iratingAt(d, category, sub.session.start);
  const incidents = perf.entrant.team ? driverSlice(perf, driver).incidents : perf.incidents;
  const license = d.licenses[category];
  return {
    irating: Math.max(100, oldIr + iratingDelta(perf, o, world.seed, d.custId)),
    sub: newSubLevel(license.sub, incidents),
    level: license.level,
  };
}

// Chart types of member/chart_data.
const CHART_IRATING = 1;
const CHART_TT_RATING = 2;
const CHART_LICENSE = 3;

/**
 * `member/chart_data`: iRating (1) and licence (3, group × 1000 + safety rating × 100) after the last race of each
 * UTC day (of the session start) the member raced in the category, from the world's first quarter to `now`;
 * time-trial rating (2) at each week start. Category 2 (legacy road) has no data; undefined (404) for another
 * category or chart type.
 */
export function chartData(
  world: World,
  memberIndex: number,
  categoryId: number,
  chartType: number,
  now: number,
): Row | undefined {
  if (![CHART_IRATING, CHART_TT_RATING, CHART_LICENSE].includes(chartType)) return undefined;
  const category = LICENSE_CATEGORIES.find((c) => CATEGORY_IDS[c] === categoryId);
  if (category === undefined && categoryId !== CATEGORY_IDS.road) return undefined;
  const m = world.members.member(memberIndex);
  const data: Row[] = [];
  if (category !== undefined && chartType === CHART_TT_RATING) {
    const tt = m.licenses[category].ttRating;
    if (tt > 0) for (let at = world.epoch; at <= now; at += WEEK) data.push({ when: isoDay(at), value: tt });
  } else if (category !== undefined) {
    // memberRaces lists the most recent first: the first race seen of a day is its last.
    const seen = new Set<string>();
    for (const r of memberRaces(world, memberIndex, world.epoch, now, Infinity)) {
      if (r.sub.session.series.category !== category) continue;
      const when = isoDay(r.sub.session.start);
      if (seen.has(when)) continue;
      seen.add(when);
      const after = ratingsAfter(world, r);
      const value =
        chartType === CHART_IRATING ? after.irating : groupOfLevel(after.level).id * 1000 + after.sub;
      data.push({ when, value });
    }
    data.reverse();
  }
  return {
    blackout: false,
    category_id: categoryId,
    chart_type: chartType,
    data,
    success: true,
    cust_id: m.custId,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// stats/member_yearly, stats/member_career

interface Totals {
  category: SeriesCategory;
  year: number;
  starts: number;
  wins: number;
  top5: number;
  poles: number;
  startSum: number;
  finishSum: number;
  laps: number;
  lapsLed: number;
  incidents: number;
  points: number;
}

function totalsRow(t: Totals): Row {
  return {
    category_id: CATEGORY_IDS[t.category],
    category: CATEGORY_TITLES[t.category],
    starts: t.starts,
    wins: t.wins,
    top5: t.top5,
    poles: t.poles,
    avg_start_position: Math.round(mean(t.startSum, t.starts)),
    avg_finish_position: Math.round(mean(t.finishSum, t.starts)),
    laps: t.laps,
    laps_led: t.lapsLed,
    avg_incidents: round2(mean(t.incidents, t.starts)),
    avg_points: Math.round(mean(t.points, t.starts)),
    win_percentage: pct(t.wins, t.starts),
    top5_percentage: pct(t.top5, t.starts),
    laps_led_percentage: pct(t.lapsLed, t.laps),
    total_club_points: 0,
  };
}

/**
 * The member's totals per (calendar year of the session start, category) with `byYear`, else per category, over
 * their races from the world's first quarter to `now`, read as stats/member_recent_races reads them: overall
 * finish and start, the entrant's laps, the driver's own laps led and incidents, the entrant's champ points.
 * Years descending, then category_id.
 */
export function memberTotals(world: World, memberIndex: number, byYear: boolean, now: number): Row[] {
  const totals = new Map<string, Totals>();
  for (const r of memberRaces(world, memberIndex, world.epoch, now, Infinity)) {
    const { sub, perf, driver } = r;
    const category = sub.session.series.category;
    const year = byYear ? new Date(sub.session.start).getUTCFullYear() : 0;
    const key = `${year}:${category}`;
    let t = totals.get(key);
    if (!t) {
      t = {
        category,
        year,
        starts: 0,
        wins: 0,
        top5: 0,
        poles: 0,
        startSum: 0,
        finishSum: 0,
        laps: 0,
        lapsLed: 0,
        incidents: 0,
        points: 0,
      };
      totals.set(key, t);
    }
    const slice = perf.entrant.team ? driverSlice(perf, driver) : perf;
    t.starts++;
    if (perf.position === 0) t.wins++;
    if (perf.position < 5) t.top5++;
    if (perf.startPos === 0) t.poles++;
    t.startSum += perf.startPos + 1;
    t.finishSum += perf.position + 1;
    t.laps += perf.lapsComplete;
    t.lapsLed += slice.lapsLed;
    t.incidents += slice.incidents;
    t.points += champPoints(perf, outcome(sub.entrants));
  }
  return [...totals.values()]
    .sort((a, b) => b.year - a.year || CATEGORY_IDS[a.category] - CATEGORY_IDS[b.category])
    .map((t) => (byYear ? { ...totalsRow(t), year: t.year } : totalsRow(t)));
}

// ---------------------------------------------------------------------------------------------------------------
// stats/world_records

interface BestLap {
  time: number;
  start: number;
  subsessionId: number;
  season: SeasonPlan;
}

interface Bests {
  member: Member;
  race?: BestLap;
  qualify?: BestLap;
  practice?: BestLap;
}

const better = (lap: BestLap, than: BestLap | undefined): boolean =>
  than === undefined ||
  lap.time < than.time ||
  (lap.time === than.time &&
    (lap.start < than.start || (lap.start === than.start && lap.subsessionId < than.subsessionId)));

/** Each driver's best lap of an entrant's session (a team's drivers each over the laps they drove). */
function driverBests(perf: Perf): number[] {
  return perf.entrant.team ? perf.entrant.drivers.map((_, i) => driverSlice(perf, i).best) : [perf.best];
}

/**
 * Rows of `stats/world_records`: every member's best race lap (best_lap_time of their results/get race row),
 * qualifying and practice lap with a car at a track, over the finished race subsessions of the weeks run there in
 * that car (series whose classes hold the car, seasons of the world's quarters up to the anchor's, or only
 * quarter `qi`); the season and date are those of the best race lap (else qualifying, else practice). Ordered by
 * race lap (none last), then cust_id.
 */
export function worldRecordRows(
  world: World,
  carId: number,
  trackId: number,
  qi: number | undefined,
  now: number,
): Row[] {
  const bests = new Map<number, Bests>();
  const note = (member: Member, kind: 'race' | 'qualify' | 'practice', lap: BestLap): void => {
    let b = bests.get(member.index);
    if (!b) bests.set(member.index, (b = { member }));
    if (better(lap, b[kind])) b[kind] = lap;
  };
  const first = qi ?? world.firstQi;
  const last = qi ?? world.anchorQi;
  for (const series of world.series) {
    if (!series.carIds.includes(carId)) continue;
    const specs = simSpecs(series);
    for (let q = Math.max(first, world.firstQi); q <= Math.min(last, world.anchorQi); q++) {
      const season = world.season(series, q);
      if (!season) continue;
      for (const week of season.weeks) {
        if (week.start > now) break;
        if (week.track.track_id !== trackId || !week.carIds.includes(carId)) continue;
        for (const s of world.sessionsBetween(series, week.start, Math.min(week.start + WEEK, now))) {
          for (const sub of subsessionsOfSession(world, s, now)) {
            if (!sub.entrants.some((e) => e.carId === carId)) continue;
            for (const spec of specs) {
              const sim = simulate(world, sub, spec);
              for (const perf of sim.perfs) {
                if (perf.entrant.carId !== carId) continue;
                driverBests(perf).forEach((time, i) => {
                  if (time <= 0) return;
                  const lap = { time, start: s.start, subsessionId: sub.id, season };
                  note(perf.entrant.drivers[i], spec.kind, lap);
                });
              }
            }
          }
        }
      }
    }
  }
  const time = (lap: BestLap | undefined): number | null => (lap ? lap.time : null);
  const day = (lap: BestLap | undefined): string | null => (lap ? isoDay(lap.start) : null);
  const rows = [...bests.values()].map((b) => {
    const m = b.member;
    const season = (b.race ?? b.qualify ?? b.practice)!.season;
    return {
      cust_id: m.custId,
      display_name: m.displayName,
      club_id: m.clubId,
      club_name: m.clubName,
      car_id: carId,
      track_id: trackId,
      season_year: season.year,
      season_quarter: season.quarter,
      country_code: m.country[0],
      region: m.clubName,
      license: statsLicense(m, season.series.category),
      practice_lap_time: time(b.practice),
      practice_date: day(b.practice),
      qualify_lap_time: time(b.qualify),
      qualify_date: day(b.qualify),
      tt_lap_time: null,
      tt_date: null,
      race_lap_time: time(b.race),
      race_date: day(b.race),
    };
  });
  rows.sort((a, b) => {
    if (a.race_lap_time !== b.race_lap_time) {
      if (a.race_lap_time === null) return 1;
      if (b.race_lap_time === null) return -1;
      return a.race_lap_time - b.race_lap_time;
    }
    return a.cust_id - b.cust_id;
  });
  return rows;
}
