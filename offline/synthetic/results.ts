// Synthetic results, generated on demand per subsession: practice, lone qualifying and race are simulated lap by
// lap from a seed mixed with the subsession id (each entrant has its own random stream, so any driver's laps can
// be regenerated alone), and every results payload is derived from the same laps: results/get, results/lap_data,
// results/season_results, results/search_series, stats/member_recent_races and stats/member_summary. Shapes
// follow the recorded samples in ../shared/iracing-samples. Team races (series with driver changes) have one row
// per team (team_id negative, display_name the team's name) carrying `driver_results`.
import {
  allowedLicenses,
  CATEGORY_IDS,
  CATEGORY_TITLES,
  clamp,
  DAY,
  hash,
  isoTime,
  MINUTE,
  strengthOfField,
  type Row,
} from './common.js';
import { divisionOf, type Member } from './members.js';
import { Rng } from './random.js';
import { carRestrictions, weatherInput, type SeasonPlan } from './seasons.js';
import { raced, splitCount, splits, type Entrant } from './sessions.js';
import type { SeriesPlan } from './series.js';
import { resultWeather, weatherResult } from './weather.js';
import type { SessionRef, World } from './world.js';

const TICKS = 10_000; // lap and session times are in 1/10000 s

type SimKind = 'practice' | 'qualify' | 'race';

export interface SimSpec {
  number: number;
  kind: SimKind;
  type: number;
  typeName: string;
  name: string;
  /** Offset of the simsession's start from the session start, minutes. */
  offset: number;
  minutes: number;
}

interface Lap {
  /** The lap number (0: the out lap or the grid, no time). */
  num: number;
  time: number;
  flags: number;
  inc: number;
  driver: number;
  sessionTime: number;
}

export interface Perf {
  entrant: Entrant;
  laps: Lap[];
  lapsComplete: number;
  total: number;
  best: number;
  bestLap: number;
  avg: number;
  incidents: number;
  lapsLed: number;
  /** Lap numbers this entrant led (race only). */
  led: number[];
  position: number;
  classPosition: number;
  interval: number;
  classInterval: number;
  startPos: number;
  startPosInClass: number;
  out: boolean;
  qualAt: number;
}

export interface Sim {
  spec: SimSpec;
  start: number;
  end: number;
  perfs: Perf[];
  leadChanges: number;
  cautions: number;
  cautionLaps: number;
  best: number;
  avg: number;
  lapsComplete: number;
}

export interface Subsession {
  id: number;
  session: SessionRef;
  split: number;
  entrants: Entrant[];
  all: Entrant[][];
}

// Lap flags, by bit, as the API names them in lap_events.
const LAP_EVENTS: readonly (readonly [number, string])[] = [
  [1, 'invalid'],
  [2, 'pitted'],
  [4, 'off track'],
  [8, 'black flag'],
  [16, 'car reset'],
  [32, 'contact'],
  [64, 'car contact'],
  [128, 'lost control'],
  [256, 'discontinuity'],
  [512, 'interpolated crossing'],
  [1024, 'clock smash'],
  [2048, 'tow'],
];
const FLAG_START = 8192;
const FLAG_FINISH = 16384;

const FARMS: readonly Row[] = [
  { farm_id: 1, display_name: 'US-East', image_path: '/member_images/flags/us.png', displayed: true },
  { farm_id: 4, display_name: 'US-West', image_path: '/member_images/flags/us.png', displayed: true },
  { farm_id: 9, display_name: 'AU-Syd', image_path: '/member_images/flags/au.png', displayed: true },
  { farm_id: 11, display_name: 'DE-Fra', image_path: '/member_images/flags/de.png', displayed: true },
  { farm_id: 13, display_name: 'BR-SP', image_path: '/member_images/flags/br.png', displayed: true },
];

export function simSpecs(series: SeriesPlan): SimSpec[] {
  const practice: SimSpec = {
    number: series.qualAttached ? -2 : -1,
    kind: 'practice',
    type: 3,
    typeName: 'Open Practice',
    name: 'PRACTICE',
    offset: 0,
    minutes: series.practiceLength,
  };
  const specs = [practice];
  if (series.qualAttached) {
    specs.push({
      number: -1,
      kind: 'qualify',
      type: 4,
      typeName: 'Lone Qualifying',
      name: 'QUALIFY',
      offset: series.practiceLength,
      minutes: series.qualifyLength,
    });
  }
  specs.push({
    number: 0,
    kind: 'race',
    type: 6,
    typeName: 'Race',
    name: 'RACE',
    offset: series.practiceLength + series.qualifyLength + series.warmupLength,
    minutes: 0,
  });
  return specs;
}

// ---------------------------------------------------------------------------------------------------------------
// Subsessions

/** A finished subsession (its scheduled end is at or before `now`), or undefined. */
export function subsessionOf(world: World, subsessionId: number, now: number): Subsession | undefined {
  const decoded = world.decodeSubsession(subsessionId);
  if (!decoded) return undefined;
  const { session, split } = decoded;
  if (world.scheduledEnd(session) > now) return undefined;
  if (split >= splitCount(world, session)) return undefined;
  const all = splits(world, session);
  const entrants = all[split];
  return entrants ? { id: subsessionId, session, split, entrants, all } : undefined;
}

/** Every finished subsession of the session. */
export function subsessionsOfSession(world: World, session: SessionRef, now: number): Subsession[] {
  if (world.scheduledEnd(session) > now) return [];
  const n = splitCount(world, session);
  if (n === 0) return [];
  const all = splits(world, session);
  return all.map((entrants, split) => ({
    id: world.subsessionId(session, split),
    session,
    split,
    entrants,
    all,
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Simulation

const gauss = (rng: Rng): number => (rng.next() + rng.next() + rng.next() - 1.5) * 2;

function classSpeed(world: World, classId: number): number {
  return (world.classes.get(classId)?.relative_speed as number | undefined) ?? 50;
}

function paceOf(world: World, sub: Subsession, e: Entrant): number {
  let fastest = 0;
  for (const id of sub.session.week.classIds) fastest = Math.max(fastest, classSpeed(world, id));
  const classFactor = 1 + (fastest - classSpeed(world, e.classId)) / 250;
  const skill = clamp((2000 - e.irating) / 60_000, -0.06, 0.04);
  const car =
    ((hash(world.seed, 910, e.carId, sub.session.week.track.track_id as number) % 1000) / 1000 - 0.5) * 0.006;
  return sub.session.week.lapSec * classFactor * (1 + skill + car);
}

const simCache = new WeakMap<World, Map<string, Sim>>();

export function simulate(world: World, sub: Subsession, spec: SimSpec): Sim {
  let cache = simCache.get(world);
  if (!cache) simCache.set(world, (cache = new Map()));
  const key = `${sub.id}:${spec.number}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const sim =
    spec.kind === 'race'
      ? simulateRace(world, sub, spec)
      : simulateSession(world, sub, spec, spec.kind === 'qualify');
  if (cache.size >= 4000) cache.clear();
  cache.set(key, sim);
  return sim;
}

function incidentOf(rng: Rng, ir: number): { flags: number; inc: number; loss: number } | undefined {
  const p = 0.012 * (1 + (2500 - ir) / 4000);
  if (!rng.bool(clamp(p, 0.003, 0.03))) return undefined;
  const r = rng.next();
  if (r < 0.6) return { flags: 4, inc: 1, loss: 1.5 };
  if (r < 0.85) return { flags: 128, inc: 2, loss: 5 };
  if (r < 0.93) return { flags: 32, inc: 0, loss: 1 };
  return { flags: 64, inc: 4, loss: 3 };
}

function emptyPerf(e: Entrant): Perf {
  return {
    entrant: e,
    laps: [],
    lapsComplete: 0,
    total: 0,
    best: -1,
    bestLap: -1,
    avg: 0,
    incidents: 0,
    lapsLed: 0,
    led: [],
    position: 0,
    classPosition: 0,
    interval: -1,
    classInterval: -1,
    startPos: -1,
    startPosInClass: -1,
    out: false,
    qualAt: 0,
  };
}

function finishStats(p: Perf): void {
  let best = -1;
  let bestLap = -1;
  let sum = 0;
  let timed = 0;
  let inc = 0;
  for (let j = 1; j < p.laps.length; j++) {
    const lap = p.laps[j];
    inc += lap.inc;
    if (lap.time < 0) continue;
    sum += lap.time;
    timed++;
    if ((lap.flags & 1) === 0 && (best < 0 || lap.time < best)) {
      best = lap.time;
      bestLap = lap.num;
    }
  }
  p.best = best;
  p.bestLap = bestLap;
  p.avg = timed > 0 ? Math.round(sum / timed) : 0;
  p.incidents = inc;
  p.lapsComplete = Math.max(0, p.laps.length - 1);
}

/** Practice and lone qualifying: laps against the clock, ordered by best lap. */
function simulateSession(world: World, sub: Subsession, spec: SimSpec, qualify: boolean): Sim {
  const series = sub.session.series;
  const start = sub.session.start + spec.offset * MINUTE;
  const perfs = sub.entrants.map((e) => {
    const rng = new Rng(hash(world.seed, 920, sub.id, spec.number + 10, e.key));
    const p = emptyPerf(e);
    const pace = paceOf(world, sub, e);
    const maxLaps = qualify ? series.qualifyLaps : Math.max(1, Math.floor((spec.minutes * 60) / pace) - 1);
    const count = rng.bool(qualify ? 0.12 : 0.25) ? 0 : qualify ? maxLaps : rng.int(1, maxLaps);
    if (count === 0) return p;
    let t = Math.round(rng.float(5, 60) * TICKS);
    p.laps.push({ num: 0, time: -1, flags: 3, inc: 0, driver: 0, sessionTime: t });
    for (let j = 1; j <= count; j++) {
      let lap = pace * (1 + (qualify ? 0.002 : 0.01) + (qualify ? 0.003 : 0.008) * gauss(rng));
      let flags = 0;
      let inc = 0;
      const incident = incidentOf(rng, e.irating);
      if (incident) {
        flags |= incident.flags | 1;
        inc = incident.inc;
        lap += incident.loss;
      }
      const ticks = Math.round(lap * TICKS);
      t += ticks;
      p.laps.push({ num: j, time: ticks, flags, inc, driver: (j - 1) % e.drivers.length, sessionTime: t });
    }
    finishStats(p);
    if (qualify && p.bestLap > 0) p.qualAt = start + Math.round(p.laps[p.bestLap].sessionTime / 10);
    return p;
  });
  const order = perfs
    .map((p, i) => ({ p, i }))
    .sort((a, b) => {
      const ta = a.p.best > 0;
      const tb = b.p.best > 0;
      if (ta !== tb) return ta ? -1 : 1;
      return (ta ? a.p.best - b.p.best : 0) || a.i - b.i;
    })
    .map((x) => x.p);
  const overall = order.length > 0 ? order[0].best : -1;
  placeAndInterval(
    order,
    (p) => (p.best < 0 || overall < 0 ? -1 : p.best - overall),
    (p, classBest) => (p.best < 0 || classBest < 0 ? -1 : p.best - classBest),
  );
  const timed = order.filter((p) => p.best > 0);
  return {
    spec,
    start,
    end: start + spec.minutes * MINUTE,
    perfs: order,
    leadChanges: -1,
    cautions: -1,
    cautionLaps: -1,
    best: timed.length > 0 ? timed[0].best : -1,
    avg: -1,
    lapsComplete: -1,
  };
}

/** Sets positions (overall and in class) in the given order, and the intervals. */
function placeAndInterval(
  order: Perf[],
  interval: (p: Perf) => number,
  classInterval: (p: Perf, classLeaderValue: number) => number,
): void {
  const classCount = new Map<number, number>();
  const classLeader = new Map<number, Perf>();
  order.forEach((p, i) => {
    p.position = i;
    const c = p.entrant.classId;
    p.classPosition = classCount.get(c) ?? 0;
    classCount.set(c, p.classPosition + 1);
    if (!classLeader.has(c)) classLeader.set(c, p);
    p.interval = interval(p);
    const leader = classLeader.get(c)!;
    p.classInterval = classInterval(p, leader === p ? p.best : leader.best);
  });
}

function gridOrder(world: World, sub: Subsession): Entrant[] {
  const specs = simSpecs(sub.session.series);
  const q = specs.find((s) => s.kind === 'qualify');
  if (!q) return sub.entrants;
  return simulate(world, sub, q).perfs.map((p) => p.entrant);
}

function simulateRace(world: World, sub: Subsession, spec: SimSpec): Sim {
  const { series, week } = sub.session;
  const start = sub.session.start + spec.offset * MINUTE + MINUTE;
  const grid = gridOrder(world, sub);
  const paces = grid.map((e) => paceOf(world, sub, e));
  const minPace = Math.min(...paces);
  const limit = week.raceTimeLimit !== null ? week.raceTimeLimit * 60 * TICKS : 0;
  const maxLaps = week.raceLaps ?? Math.ceil(limit / TICKS / minPace) + 1;
  const pitEvery = series.raceMinutes >= 45 ? Math.max(5, Math.floor(2400 / minPace)) : 0;
  const gridTime = Math.round((90 + grid.length * 0.5) * TICKS);
  const classSeen = new Map<number, number>();

  const perfs = grid.map((e, g) => {
    const rng = new Rng(hash(world.seed, 930, sub.id, g + 1, e.key));
    const p = emptyPerf(e);
    p.startPos = g;
    p.startPosInClass = classSeen.get(e.classId) ?? 0;
    classSeen.set(e.classId, p.startPosInClass + 1);
    const retireAt = rng.bool(0.05) ? rng.int(0, maxLaps - 1) : maxLaps;
    p.out = retireAt < maxLaps;
    const stint = Math.ceil(maxLaps / e.drivers.length);
    let t = gridTime;
    p.laps.push({ num: 0, time: -1, flags: 0, inc: 0, driver: 0, sessionTime: t });
    for (let j = 1; j <= retireAt; j++) {
      let lap = paces[g] * (1 + 0.004 * gauss(rng));
      let flags = j === 1 ? FLAG_START : 0;
      let inc = 0;
      if (j === 1) lap += (series.startType === 'Standing' ? 3 : 1.5) + g * 0.25;
      const incident = incidentOf(rng, e.irating);
      if (incident) {
        flags |= incident.flags;
        inc = incident.inc;
        lap += incident.loss;
      }
      if (pitEvery > 0 && j % pitEvery === 0 && j < maxLaps) {
        flags |= 2;
        lap += 35 + rng.float(0, 8);
      }
      const ticks = Math.round(lap * TICKS);
      t += ticks;
      p.laps.push({
        num: j,
        time: ticks,
        flags,
        inc,
        driver: Math.floor((j - 1) / stint) % e.drivers.length,
        sessionTime: t,
      });
    }
    return p;
  });

  // Race length: laps for a lap-limited race; for a timed race, the lap on which the leader passes the limit.
  let laps = maxLaps;
  if (week.raceLaps === null) {
    for (let j = 1; j <= maxLaps; j++) {
      let lead = Infinity;
      for (const p of perfs) if (p.laps.length > j) lead = Math.min(lead, p.laps[j].sessionTime - gridTime);
      if (lead !== Infinity && lead >= limit) {
        laps = j;
        break;
      }
    }
  }
  let winnerTotal = Infinity;
  for (const p of perfs)
    if (p.laps.length > laps) winnerTotal = Math.min(winnerTotal, p.laps[laps].sessionTime);
  for (const p of perfs) {
    let keep = p.laps.length - 1;
    if (winnerTotal !== Infinity) {
      for (let k = 1; k < p.laps.length && k <= laps; k++) {
        if (p.laps[k].sessionTime >= winnerTotal) {
          keep = k;
          break;
        }
      }
    }
    keep = Math.min(keep, laps);
    p.laps.length = keep + 1;
    if (!p.out && keep > 0) p.laps[keep] = { ...p.laps[keep], flags: p.laps[keep].flags | FLAG_FINISH };
    finishStats(p);
    p.total = p.laps[p.laps.length - 1].sessionTime - gridTime;
  }
  const order = [...perfs].sort(
    (a, b) => b.lapsComplete - a.lapsComplete || a.total - b.total || a.startPos - b.startPos,
  );

  // Laps led and lead changes: the first across the line on each lap.
  let leadChanges = 0;
  let previous: Perf | undefined;
  const raceLaps = order[0]?.lapsComplete ?? 0;
  for (let j = 1; j <= raceLaps; j++) {
    let leader: Perf | undefined;
    for (const p of perfs) {
      if (p.laps.length > j && (!leader || p.laps[j].sessionTime < leader.laps[j].sessionTime)) leader = p;
    }
    if (!leader) break;
    leader.lapsLed++;
    leader.led.push(j);
    if (previous && previous !== leader) leadChanges++;
    previous = leader;
  }
  const winner = order[0];
  placeAndInterval(
    order,
    (p) => (winner && p.lapsComplete === winner.lapsComplete ? p.total - winner.total : -1),
    () => -1,
  );
  const classWinner = new Map<number, Perf>();
  for (const p of order) {
    const w = classWinner.get(p.entrant.classId);
    if (!w) {
      classWinner.set(p.entrant.classId, p);
      p.classInterval = 0;
    } else p.classInterval = p.lapsComplete === w.lapsComplete ? p.total - w.total : -1;
  }

  const isOval = series.category === 'oval' || series.category === 'dirt_oval';
  const crng = new Rng(hash(world.seed, 931, sub.id));
  const cautions = isOval ? crng.int(0, Math.min(5, Math.floor(raceLaps / 10))) : 0;
  const cautionLaps = cautions * crng.int(2, 4);
  let best = -1;
  let avgSum = 0;
  let avgCount = 0;
  for (const p of order) {
    if (p.best > 0 && (best < 0 || p.best < best)) best = p.best;
    if (p.lapsComplete > 0) {
      avgSum += p.avg;
      avgCount++;
    }
  }
  const end = Math.min(
    start + Math.round(((winner ? winner.total : 0) + gridTime) / 10) + MINUTE,
    sub.session.start + week.sessionMinutes * MINUTE - MINUTE,
  );
  return {
    spec,
    start,
    end,
    perfs: order,
    leadChanges,
    cautions,
    cautionLaps,
    best,
    avg: avgCount > 0 ? Math.round(avgSum / avgCount) : -1,
    lapsComplete: raceLaps,
  };
}

export const raceSpec = (series: SeriesPlan): SimSpec => simSpecs(series).find((s) => s.kind === 'race')!;

// ---------------------------------------------------------------------------------------------------------------
// Ratings and points

export interface Outcome {
  sof: number;
  classSof: Map<number, number>;
  classCount: Map<number, number>;
}

export function outcome(entrants: readonly Entrant[]): Outcome {
  const byClass = new Map<number, number[]>();
  for (const e of entrants) {
    const list = byClass.get(e.classId) ?? [];
    list.push(e.irating);
    byClass.set(e.classId, list);
  }
  const classSof = new Map<number, number>();
  const classCount = new Map<number, number>();
  for (const [c, list] of byClass) {
    classSof.set(c, strengthOfField(list));
    classCount.set(c, list.length);
  }
  return { sof: strengthOfField(entrants.map((e) => e.irating)), classSof, classCount };
}

export function champPoints(race: Perf, o: Outcome): number {
  const n = o.classCount.get(race.entrant.classId) ?? 1;
  const sof = o.classSof.get(race.entrant.classId) ?? 0;
  if (race.lapsComplete === 0) return 0;
  return Math.max(1, Math.round(((sof / 16) * (n - race.classPosition)) / n));
}

export function iratingDelta(race: Perf, o: Outcome, seed: number, custId: number): number {
  const n = o.classCount.get(race.entrant.classId) ?? 1;
  const noise = (hash(seed, 940, custId, race.position) % 11) - 5;
  return Math.round((((n - 1) / 2 - race.classPosition) * 160) / Math.max(2, n)) + noise;
}

// ---------------------------------------------------------------------------------------------------------------
// results/get

/** A float with 5 decimals that is never an integer (the API serves these keys as floats). */
const float5 = (v: number): number => {
  const x = Math.round(v * 1e5) / 1e5;
  return Number.isInteger(x) ? x + 0.00001 : x;
};

const NA_HELMET: Row = {
  pattern: -1,
  color1: 'N/A',
  color2: 'N/A',
  color3: 'N/A',
  face_type: 0,
  helmet_type: 0,
};

function livery(m: Member | undefined, carId: number, carNumber: string): Row {
  return {
    car_id: carId,
    pattern: m ? m.livery.pattern : 0,
    color1: m ? m.livery.colors[0] : '000000',
    color2: m ? m.livery.colors[1] : '000000',
    color3: m ? m.livery.colors[2] : '000000',
    number_font: 0,
    number_color1: 'ffffff',
    number_color2: '777777',
    number_color3: '000000',
    number_slant: 0,
    sponsor1: 0,
    sponsor2: 0,
    car_number: carNumber,
    wheel_color: m ? m.livery.wheel : null,
    rim_type: m ? m.livery.rim : 0,
  };
}

interface RowContext {
  world: World;
  sub: Subsession;
  sim: Sim;
  race: Sim;
  outcome: Outcome;
  weights: Map<number, number>;
}

/** Stats of one driver of a team over the laps they drove. */
export function driverSlice(p: Perf, d: number): Perf {
  const slice: Perf = { ...p, laps: [p.laps[0]] };
  for (let j = 1; j < p.laps.length; j++) if (p.laps[j].driver === d) slice.laps.push(p.laps[j]);
  finishStats(slice);
  slice.led = p.led.filter((j) => p.laps[j]?.driver === d);
  slice.lapsLed = slice.led.length;
  return slice;
}

function resultRow(
  ctx: RowContext,
  p: Perf,
  racePerf: Perf | undefined,
  driver: Member | undefined,
  teamId: number,
): Row {
  const { world, sub, sim } = ctx;
  const series = sub.session.series;
  const e = p.entrant;
  const car = world.cars.get(e.carId) ?? {};
  const cls = world.classes.get(e.classId) ?? {};
  const lead = driver ?? e.drivers[0];
  const license = lead.licenses[series.category];
  const oldIr = driver ? world.members.iratingAt(driver, series.category, sub.session.start) : e.irating;
  const points = racePerf ? champPoints(racePerf, ctx.outcome) : 0;
  const delta = racePerf ? iratingDelta(racePerf, ctx.outcome, world.seed, lead.custId) : 0;
  const subDelta = racePerf ? clamp((4 - racePerf.incidents) * 3, -40, 20) : 0;
  const isRace = sim.spec.kind === 'race';
  const qual = sim.spec.kind === 'qualify' && p.best > 0;
  const row: Row = {};
  if (teamId !== 0 && !driver) row.team_id = -teamId;
  else row.cust_id = lead.custId;
  if (teamId !== 0 && driver) row.team_id = -teamId;
  Object.assign(row, {
    display_name: driver ? driver.displayName : e.name,
    aggregate_champ_points: points,
    ai: false,
    average_lap: p.avg,
    best_lap_num: p.bestLap,
    best_lap_time: p.best,
    best_nlaps_num: -1,
    best_nlaps_time: -1,
    best_qual_lap_at: qual ? isoTime(p.qualAt) : '1970-01-01T00:00:00Z',
    best_qual_lap_num: qual ? p.bestLap : -1,
    best_qual_lap_time: qual ? p.best : -1,
    car_class_id: e.classId,
    car_class_name: cls.name,
    car_class_short_name: cls.short_name,
    car_id: e.carId,
    car_name: car.car_name,
    carcfg: -1,
    champ_points: isRace ? points : 0,
    class_interval: p.classInterval,
    country_code: lead.country[0],
    division: divisionOf(oldIr),
    division_name: `Division ${divisionOf(oldIr) + 1}`,
    drop_race: isRace && hash(world.seed, 950, sub.id, lead.custId) % 5 === 0,
    finish_position: p.position,
    finish_position_in_class: p.classPosition,
    flair_id: lead.country[2],
    flair_name: lead.country[3],
    flair_shortname: lead.country[1],
    friend: false,
    helmet: teamId !== 0 && !driver ? NA_HELMET : lead.helmet,
    incidents: p.incidents,
    interval: p.interval,
    laps_complete: p.lapsComplete,
    laps_lead: p.lapsLed,
    league_agg_points: 0,
    league_points: 0,
    license_change_oval: -1,
    license_change_road: -1,
    livery: livery(lead, e.carId, e.carNumber),
    max_pct_fuel_fill: -1,
    new_cpi: float5(license.cpi + (racePerf ? (4 - racePerf.incidents) * 0.37 : 0)),
    new_license_level: license.level,
    new_sub_level: clamp(license.sub + subDelta, 1, 499),
    new_ttrating: license.ttRating,
    newi_rating: Math.max(100, oldIr + delta),
    old_cpi: license.cpi,
    old_license_level: license.level,
    old_sub_level: license.sub,
    old_ttrating: license.ttRating,
    oldi_rating: oldIr,
    opt_laps_complete: 0,
    position: p.position,
    qual_lap_time: -1,
    reason_out: p.out ? 'Disconnected' : 'Running',
    reason_out_id: p.out ? 32 : 0,
    starting_position: isRace ? p.startPos : -1,
    starting_position_in_class: isRace ? p.startPosInClass : -1,
    suit: {
      pattern: lead.suit.pattern,
      color1: lead.suit.color1,
      color2: lead.suit.color2,
      color3: lead.suit.color3,
    },
    watched: false,
    weight_penalty_kg: ctx.weights.get(e.carId) ?? 0,
  });
  return row;
}

function simRows(ctx: RowContext): Row[] {
  const raceByKey = new Map<number, Perf>();
  for (const p of ctx.race.perfs) raceByKey.set(p.entrant.key, p);
  return ctx.sim.perfs.map((p) => {
    const racePerf = raceByKey.get(p.entrant.key);
    if (!p.entrant.team) return resultRow(ctx, p, racePerf, undefined, 0);
    const row = resultRow(ctx, p, racePerf, undefined, p.entrant.teamId);
    row.driver_results = p.entrant.drivers.map((d, i) => {
      const slice = driverSlice(p, i);
      const raceSlice = racePerf
        ? { ...driverSlice(racePerf, i), classPosition: racePerf.classPosition }
        : undefined;
      return resultRow(ctx, slice, raceSlice, d, p.entrant.teamId);
    });
    return row;
  });
}

export function seasonNames(season: SeasonPlan): { name: string; short: string } {
  return {
    name: `${season.series.name} - ${season.year} Season ${season.quarter}`,
    short: `${season.year} Season ${season.quarter}`,
  };
}

function weights(world: World, sub: Subsession): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of carRestrictions(world, sub.session.season, sub.session.week))
    out.set(r.car_id as number, r.weight_penalty_kg as number);
  return out;
}

export function resultsGet(world: World, subsessionId: number, now: number): Row | undefined {
  const sub = subsessionOf(world, subsessionId, now);
  if (!sub) return undefined;
  const { series, season, week } = sub.session;
  const specs = simSpecs(series);
  const race = simulate(world, sub, specs[specs.length - 1]);
  const o = outcome(sub.entrants);
  const w = weights(world, sub);
  const input = weatherInput(world, season, week);
  const names = seasonNames(season);
  const classes = [...new Set(sub.entrants.map((e) => e.classId))].sort(
    (a, b) => classSpeed(world, b) - classSpeed(world, a),
  );
  const splitIds = sub.all.map((_, k) => world.subsessionId(sub.session, k));
  const track = week.track;
  const category = series.category;
  return {
    subsession_id: sub.id,
    allowed_licenses: allowedLicenses(series.licenseGroup, series.seriesId),
    associated_subsession_ids: splitIds,
    can_protest: true,
    car_classes: classes.map((id) => {
      const cls = world.classes.get(id) ?? {};
      return {
        car_class_id: id,
        short_name: cls.short_name,
        name: cls.name,
        strength_of_field: o.classSof.get(id) ?? 0,
        num_entries: o.classCount.get(id) ?? 0,
        cars_in_class: ((cls.cars_in_class as Row[] | undefined) ?? [])
          .filter((c) => week.carIds.includes(c.car_id as number))
          .map((c) => ({ car_id: c.car_id })),
      };
    }),
    caution_type:
      category === 'oval' || category === 'dirt_oval' ? series.ovalCautionType : series.roadCautionType,
    cooldown_minutes: 30,
    corners_per_lap: (track.corners_per_lap as number | undefined) ?? 4,
    damage_model: 0,
    driver_change_param1: -1,
    driver_change_param2: -1,
    driver_change_rule: series.teams ? 2 : 0,
    driver_changes: series.teams,
    end_time: isoTime(race.end),
    event_average_lap: race.avg,
    event_best_lap_time: race.best,
    event_laps_complete: race.lapsComplete,
    event_strength_of_field: o.sof,
    event_type: 5,
    event_type_name: 'Race',
    heat_info_id: -1,
    license_category: CATEGORY_TITLES[category].replace(' ', '_'),
    license_category_id: CATEGORY_IDS[category],
    limit_minutes: 10080,
    max_team_drivers: series.maxTeamDrivers,
    max_weeks: season.weeks.length,
    min_team_drivers: series.minTeamDrivers,
    num_caution_laps: race.cautionLaps,
    num_cautions: race.cautions,
    num_drivers: sub.entrants.reduce((n, e) => n + e.drivers.length, 0),
    num_laps_for_qual_average: 2,
    num_laps_for_solo_average: 5,
    num_lead_changes: race.leadChanges,
    official_session: official(sub),
    points_type: 'race',
    private_session_id: -1,
    race_summary: {
      subsession_id: sub.id,
      average_lap: race.avg,
      laps_complete: race.lapsComplete,
      num_cautions: race.cautions,
      num_caution_laps: race.cautionLaps,
      num_lead_changes: race.leadChanges,
      field_strength: o.sof,
      num_opt_laps: 0,
      has_opt_path: track.has_opt_path === true,
      special_event_type: 0,
      special_event_type_text: 'Not a special event',
    },
    race_week_num: week.num,
    results_restricted: false,
    season_id: season.seasonId,
    season_name: names.name,
    season_quarter: season.quarter,
    season_short_name: names.short,
    season_year: season.year,
    series_id: series.seriesId,
    series_logo: series.logo,
    series_name: series.name,
    series_short_name: series.shortName,
    session_id: sub.session.sessionId,
    session_results: specs.map((spec) => {
      const sim = simulate(world, sub, spec);
      return {
        simsession_number: spec.number,
        simsession_name: spec.name,
        simsession_type: spec.type,
        simsession_type_name: spec.typeName,
        simsession_subtype: 0,
        weather_result: weatherResult(input, sim.start, sim.end),
        results: simRows({ world, sub, sim, race, outcome: o, weights: w }),
      };
    }),
    session_splits: sub.all.map((entrants, k) => ({
      subsession_id: splitIds[k],
      event_strength_of_field: strengthOfField(entrants.map((e) => e.irating)),
    })),
    special_event_type: -1,
    start_time: isoTime(sub.session.start),
    track: {
      category: CATEGORY_TITLES[week.track.category as 'road'],
      category_id: week.track.category_id,
      ...trackShortWithConfigFirst(week.track),
    },
    track_state: {
      leave_marbles: false,
      practice_rubber: -1,
      qualify_rubber: -1,
      race_rubber: -1,
      warmup_rubber: -1,
    },
    weather: resultWeather(input, sub.session.start),
  };
}

const official = (sub: Subsession): boolean =>
  sub.session.series.official && sub.entrants.length >= Math.min(4, sub.session.series.minStarters);

// ---------------------------------------------------------------------------------------------------------------
// results/lap_data

export interface LapDataQuery {
  subsessionId: number;
  simsessionNumber: number;
  custId?: number;
  teamId?: number;
}

/** The lap data header (minus chunk_info) and rows, or undefined when nothing matches. */
export function lapData(
  world: World,
  q: LapDataQuery,
  now: number,
): { header: Row; rows: Row[] } | undefined {
  const sub = subsessionOf(world, q.subsessionId, now);
  if (!sub) return undefined;
  const { series, season, week } = sub.session;
  const spec = simSpecs(series).find((s) => s.number === q.simsessionNumber);
  if (!spec) return undefined;
  const sim = simulate(world, sub, spec);
  let selected: { perf: Perf; driver?: number }[];
  if (q.custId !== undefined) {
    const m = world.members.indexOf(q.custId);
    if (m === undefined) return undefined;
    const perf = sim.perfs.find((p) => p.entrant.drivers.some((d) => d.index === m));
    if (!perf) return undefined;
    selected = [{ perf, driver: perf.entrant.drivers.findIndex((d) => d.index === m) }];
  } else if (q.teamId !== undefined) {
    const perf = sim.perfs.find((p) => p.entrant.team && p.entrant.teamId === Math.abs(q.teamId!));
    if (!perf) return undefined;
    selected = [{ perf }];
  } else selected = sim.perfs.map((perf) => ({ perf }));

  const rows: Row[] = [];
  for (const { perf, driver } of selected) {
    const e = perf.entrant;
    // Each driver's best lap (a team's drivers each have theirs; the team's is the fastest of them).
    const personal = e.team ? e.drivers.map((_, i) => driverSlice(perf, i).bestLap) : [perf.bestLap];
    for (let j = 0; j < perf.laps.length; j++) {
      const lap = perf.laps[j];
      if (driver !== undefined && j > 0 && lap.driver !== driver) continue;
      const d = e.drivers[j === 0 && driver !== undefined ? driver : lap.driver] ?? e.drivers[0];
      const events: string[] = [];
      for (const [bit, label] of LAP_EVENTS) if ((lap.flags & bit) !== 0) events.push(label);
      rows.push({
        group_id: e.team ? -e.teamId : d.custId,
        name: e.name,
        cust_id: d.custId,
        display_name: d.displayName,
        lap_number: lap.num,
        flags: lap.flags,
        incident: lap.inc > 0,
        session_time: lap.sessionTime,
        session_start_time: null,
        lap_time: lap.time,
        team_fastest_lap: lap.num > 0 && lap.num === perf.bestLap,
        personal_best_lap: lap.num > 0 && lap.num === personal[e.team ? lap.driver : 0],
        helmet: d.helmet,
        license_level: d.licenses[series.category].level,
        car_number: e.carNumber,
        lap_events: events,
        ai: false,
      });
    }
  }
  // The header describes the driver (or team) asked for, else the holder of the session's best lap.
  const focus: { perf: Perf | undefined; driver?: number } =
    selected.length === 1
      ? selected[0]
      : { perf: [...sim.perfs].filter((p) => p.best > 0).sort((a, b) => a.best - b.best)[0] ?? sim.perfs[0] };
  const fp = focus?.perf;
  const fd = fp ? fp.entrant.drivers[focus.driver ?? 0] : undefined;
  const names = seasonNames(season);
  const qual = spec.kind === 'qualify' && fp !== undefined && fp.best > 0;
  const header: Row = {
    success: true,
    session_info: {
      subsession_id: sub.id,
      session_id: sub.session.sessionId,
      simsession_number: spec.number,
      simsession_type: spec.type,
      num_laps_for_qual_average: 2,
      num_laps_for_solo_average: 5,
      event_type: 5,
      event_type_name: 'Race',
      private_session_id: -1,
      season_name: names.name,
      season_short_name: names.short,
      series_name: series.name,
      series_short_name: series.shortName,
      start_time: isoTime(sub.session.start),
      track: trackShort(week.track),
    },
    best_lap_num: fp ? fp.bestLap : -1,
    best_lap_time: fp ? fp.best : -1,
    best_nlaps_num: -1,
    best_nlaps_time: -1,
    best_qual_lap_num: qual ? fp.bestLap : -1,
    best_qual_lap_time: qual ? fp.best : -1,
    best_qual_lap_at: qual ? isoTime(fp.qualAt) : null,
  };
  if (fp && fd) {
    const team = fp.entrant.team && focus.driver === undefined;
    header.group_id = fp.entrant.team ? -fp.entrant.teamId : fd.custId;
    if (team) header.team_id = -fp.entrant.teamId;
    else header.cust_id = fd.custId;
    header.name = team ? fp.entrant.name : fd.displayName;
    header.car_id = fp.entrant.carId;
    header.license_level = fd.licenses[series.category].level;
    header.livery = livery(fd, fp.entrant.carId, fp.entrant.carNumber);
  }
  return { header, rows };
}

const trackShort = (track: Row): Row =>
  track.config_name === undefined
    ? { track_id: track.track_id, track_name: track.track_name }
    : { track_id: track.track_id, track_name: track.track_name, config_name: track.config_name };

// ---------------------------------------------------------------------------------------------------------------
// Summaries: results/season_results, results/search_series

export interface Summary {
  sub: Subsession;
  race: Sim;
  outcome: Outcome;
  winner: Perf | undefined;
}

export function summaryOf(world: World, sub: Subsession): Summary {
  const race = simulate(world, sub, raceSpec(sub.session.series));
  return { sub, race, outcome: outcome(sub.entrants), winner: race.perfs[0] };
}

function winnerFields(s: Summary): { id: number; name: string; helmet: Row; license: number } {
  const w = s.winner;
  if (!w) return { id: -1, name: '', helmet: NA_HELMET, license: -1 };
  if (w.entrant.team) return { id: -w.entrant.teamId, name: w.entrant.name, helmet: NA_HELMET, license: -1 };
  const d = w.entrant.drivers[0];
  return {
    id: d.custId,
    name: d.displayName,
    helmet: d.helmet,
    license: d.licenses[s.sub.session.series.category].level,
  };
}

function seasonResultRow(world: World, s: Summary): Row {
  const { sub, race, outcome: o } = s;
  const w = winnerFields(s);
  const classes = [...o.classCount.keys()].sort((a, b) => classSpeed(world, b) - classSpeed(world, a));
  return {
    session_id: sub.session.sessionId,
    subsession_id: sub.id,
    race_week_num: sub.session.week.num,
    car_classes: classes.map((id) => {
      const cls = world.classes.get(id) ?? {};
      return {
        car_class_id: id,
        short_name: cls.short_name,
        name: cls.name,
        num_entries: o.classCount.get(id) ?? 0,
        strength_of_field: o.classSof.get(id) ?? 0,
      };
    }),
    driver_changes: sub.session.series.teams,
    event_best_lap_time: race.best,
    event_strength_of_field: o.sof,
    event_type: 5,
    event_type_name: 'Race',
    farm: FARMS[hash(world.seed, 960, sub.id) % FARMS.length],
    num_caution_laps: race.cautionLaps,
    num_cautions: race.cautions,
    num_drivers: sub.entrants.reduce((n, e) => n + e.drivers.length, 0),
    num_lead_changes: race.leadChanges,
    official_session: official(sub),
    start_time: isoTime(sub.session.start),
    track: trackShortWithConfigFirst(sub.session.week.track),
    winner_helmet: w.helmet,
    winner_id: w.id,
    winner_license_level: w.license,
    winner_name: w.name,
  };
}

const trackShortWithConfigFirst = (track: Row): Row => {
  const row: Row = {};
  if (track.config_name !== undefined) row.config_name = track.config_name;
  row.track_id = track.track_id;
  row.track_name = track.track_name;
  return row;
};

/** `/data/results/season_results`: the finished race subsessions of a season (optionally one week). */
export function seasonResults(
  world: World,
  season: SeasonPlan,
  raceWeek: number | undefined,
  eventType: number | undefined,
  now: number,
): Row {
  const rows: Row[] = [];
  if (eventType === undefined || eventType === 5) {
    for (const week of season.weeks) {
      if (raceWeek !== undefined && week.num !== raceWeek) continue;
      if (week.start > now) break;
      for (const s of world.sessionsBetween(season.series, week.start, Math.min(week.start + 7 * DAY, now))) {
        for (const sub of subsessionsOfSession(world, s, now))
          rows.push(seasonResultRow(world, summaryOf(world, sub)));
      }
    }
  }
  return {
    success: true,
    season_id: season.seasonId,
    race_week_num: raceWeek ?? null,
    event_type: eventType ?? null,
    results_list: rows,
  };
}

export interface SearchQuery {
  from: number;
  to: number;
  finishFrom?: number;
  finishTo?: number;
  seriesId?: number;
  raceWeek?: number;
  officialOnly: boolean;
  eventTypes?: number[];
  categoryIds?: number[];
  seasonQi?: number;
}

/** Rows of `/data/results/search_series`: finished race subsessions matching the query, by subsession id. */
export function searchSeries(world: World, q: SearchQuery, now: number): Row[] {
  if (q.eventTypes && !q.eventTypes.includes(5)) return [];
  const rows: Row[] = [];
  const series =
    q.seriesId !== undefined ? world.series.filter((s) => s.seriesId === q.seriesId) : world.series;
  const subs: Subsession[] = [];
  for (const s of series) {
    if (q.categoryIds && !q.categoryIds.includes(CATEGORY_IDS[s.category])) continue;
    for (const session of world.sessionsBetween(s, q.from, Math.min(q.to, now))) {
      if (q.seasonQi !== undefined && session.season.qi !== q.seasonQi) continue;
      if (q.raceWeek !== undefined && session.week.num !== q.raceWeek) continue;
      for (const sub of subsessionsOfSession(world, session, now)) {
        if (q.officialOnly && !official(sub)) continue;
        subs.push(sub);
      }
    }
  }
  subs.sort((a, b) => a.id - b.id);
  for (const sub of subs) {
    const s = summaryOf(world, sub);
    if (q.finishFrom !== undefined && s.race.end < q.finishFrom) continue;
    if (q.finishTo !== undefined && s.race.end > q.finishTo) continue;
    rows.push(searchRow(world, s));
  }
  return rows;
}

function searchRow(world: World, s: Summary): Row {
  const { sub, race, outcome: o } = s;
  const { series, season, week } = sub.session;
  const w = winnerFields(s);
  return {
    session_id: sub.session.sessionId,
    subsession_id: sub.id,
    start_time: isoTime(sub.session.start),
    end_time: isoTime(race.end),
    license_category_id: CATEGORY_IDS[series.category],
    license_category: CATEGORY_TITLES[series.category],
    num_drivers: sub.entrants.reduce((n, e) => n + e.drivers.length, 0),
    num_cautions: race.cautions,
    num_caution_laps: race.cautionLaps,
    num_lead_changes: race.leadChanges,
    event_average_lap: race.avg,
    event_best_lap_time: race.best,
    event_laps_complete: race.lapsComplete,
    driver_changes: series.teams,
    winner_group_id: w.id,
    winner_name: w.name,
    winner_ai: false,
    track: trackShortWithConfigFirst(week.track),
    official_session: official(sub),
    season_id: season.seasonId,
    season_year: season.year,
    season_quarter: season.quarter,
    event_type: 5,
    event_type_name: 'Race',
    series_id: series.seriesId,
    series_name: series.name,
    series_short_name: series.shortName,
    race_week_num: week.num,
    event_strength_of_field: o.sof,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Members' races: stats/member_recent_races, stats/member_summary

export interface MemberRace {
  sub: Subsession;
  perf: Perf;
  driver: number;
}

/** The member's finished races in [from, to), most recent first, at most `limit`. */
export function memberRaces(
  world: World,
  memberIndex: number,
  from: number,
  to: number,
  limit: number,
): MemberRace[] {
  const found: SessionRef[] = [];
  for (const series of world.members.seriesOf(memberIndex)) {
    for (const s of world.sessionsBetween(series, from, to)) {
      if (world.scheduledEnd(s) <= to && raced(world, s, memberIndex)) found.push(s);
    }
  }
  found.sort((a, b) => b.start - a.start || b.slot - a.slot);
  const out: MemberRace[] = [];
  for (const s of found) {
    if (out.length >= limit) break;
    const all = splits(world, s);
    const split = all.findIndex((list) => list.some((e) => e.drivers.some((d) => d.index === memberIndex)));
    if (split < 0) continue;
    const sub: Subsession = {
      id: world.subsessionId(s, split),
      session: s,
      split,
      entrants: all[split],
      all,
    };
    const race = simulate(world, sub, raceSpec(s.series));
    const perf = race.perfs.find((p) => p.entrant.drivers.some((d) => d.index === memberIndex));
    if (!perf) continue;
    out.push({ sub, perf, driver: perf.entrant.drivers.findIndex((d) => d.index === memberIndex) });
  }
  return out;
}

export function recentRaces(world: World, memberIndex: number, now: number): Row {
  const m = world.members.member(memberIndex);
  const races = memberRaces(world, memberIndex, Math.max(world.epoch, now - 90 * DAY), now, 10).map(
    ({ sub, perf, driver }) => {
      const { series, season, week } = sub.session;
      const s = summaryOf(world, sub);
      const w = winnerFields(s);
      const d = perf.entrant.drivers[driver];
      const license = d.licenses[series.category];
      const oldIr = world.members.iratingAt(d, series.category, sub.session.start);
      const slice = perf.entrant.team ? driverSlice(perf, driver) : perf;
      return {
        season_id: season.seasonId,
        series_id: series.seriesId,
        series_name: series.name,
        car_id: perf.entrant.carId,
        car_class_id: perf.entrant.classId,
        livery: {
          car_id: perf.entrant.carId,
          pattern: d.livery.pattern,
          color1: d.livery.colors[0],
          color2: d.livery.colors[1],
          color3: d.livery.colors[2],
        },
        license_level: license.level,
        session_start_time: isoTime(sub.session.start),
        winner_group_id: w.id,
        winner_name: w.name,
        winner_helmet: w.helmet,
        winner_license_level: w.license,
        start_position: perf.startPos + 1,
        finish_position: perf.position + 1,
        qualifying_time: 0,
        laps: perf.lapsComplete,
        laps_led: slice.lapsLed,
        incidents: slice.incidents,
        points: champPoints(perf, s.outcome),
        strength_of_field: s.outcome.sof,
        subsession_id: sub.id,
        old_sub_level: license.sub,
        new_sub_level: clamp(license.sub + clamp((4 - perf.incidents) * 3, -40, 20), 1, 499),
        oldi_rating: oldIr,
        newi_rating: Math.max(100, oldIr + iratingDelta(perf, s.outcome, world.seed, d.custId)),
        track: { track_id: week.track.track_id, track_name: week.track.track_name },
        drop_race: hash(world.seed, 950, sub.id, d.custId) % 5 === 0,
        season_year: season.year,
        season_quarter: season.quarter,
        race_week_num: week.num,
      };
    },
  );
  return { races, cust_id: m.custId };
}

export function memberSummary(world: World, memberIndex: number, now: number): Row {
  const m = world.members.member(memberIndex);
  const yearStart = Date.UTC(new Date(now).getUTCFullYear(), 0, 1);
  const races = memberRaces(world, memberIndex, Math.max(world.epoch, yearStart), now, Infinity);
  let sessions = 0;
  let wins = 0;
  for (const r of races) {
    if (!r.sub.session.series.official) continue;
    sessions++;
    if (r.perf.position === 0) wins++;
  }
  return {
    cust_id: m.custId,
    this_year: {
      num_official_sessions: sessions,
      num_league_sessions: 0,
      num_official_wins: wins,
      num_league_wins: 0,
    },
  };
}
