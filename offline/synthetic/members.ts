// The synthetic members: a pool of racers whose every attribute is computed from their index (name, country,
// club, helmet, licenses, iRating), who sign up for series through affine permutations (so "who races in this
// series" and "which series does this member race" are both O(1) questions), and who form teams in team series.
// Also builds the member payloads: member/info (the account), member/get and stats/member_summary shapes.
import {
  clamp,
  DAY,
  groupOfLevel,
  hash,
  isoTime,
  LICENSE_CATEGORIES,
  modInverse,
  STRIDE_PRIMES,
  unit,
  type Row,
  type SeriesCategory,
} from './common.js';
import type { SyntheticCatalog } from './catalog.js';
import { Rng } from './random.js';
import type { SeriesPlan } from './series.js';

type NameSet = { first: readonly string[]; last: readonly string[] };

const NAMES: Record<string, NameSet> = {
  en: {
    first: [
      'James',
      'Oliver',
      'Jack',
      'Emily',
      'Ryan',
      'Logan',
      'Chris',
      'Mason',
      'Sarah',
      'Tyler',
      'Owen',
      'Liam',
    ],
    last: [
      'Smith',
      'Taylor',
      'Walker',
      'Hughes',
      'Mitchell',
      'Parker',
      'Reed',
      'Collins',
      'Turner',
      'Bennett',
    ],
  },
  de: {
    first: ['Lukas', 'Jonas', 'Felix', 'Leon', 'Tobias', 'Julia', 'Max', 'Niklas', 'Valentin', 'Cedric'],
    last: [
      'Müller',
      'Schmidt',
      'Fischer',
      'Weber',
      'Becker',
      'Wagner',
      'Schwenk',
      'Kluss',
      'Fuchs',
      'Hoffmann',
    ],
  },
  nl: {
    first: ['Daan', 'Sem', 'Lars', 'Bram', 'Thijs', 'Sanne', 'Ruben', 'Joost'],
    last: ['de Vries', 'Jansen', 'van Dijk', 'Bakker', 'Visser', 'Peeters', 'Smits', 'de Boer'],
  },
  fr: {
    first: ['Lucas', 'Hugo', 'Louis', 'Camille', 'Théo', 'Antoine', 'Julien', 'Léa'],
    last: ['Martin', 'Bernard', 'Dubois', 'Moreau', 'Laurent', 'Girard', 'Rousseau', 'Fontaine'],
  },
  es: {
    first: ['Diego', 'Pablo', 'Javier', 'Lucía', 'Mateo', 'Carlos', 'Sofía', 'Andrés'],
    last: ['Fernández', 'García', 'López', 'Martínez', 'Sánchez', 'Romero', 'Navarro', 'Torres'],
  },
  it: {
    first: ['Marco', 'Luca', 'Matteo', 'Giulia', 'Alessandro', 'Davide', 'Chiara', 'Simone'],
    last: ['Rossi', 'Bianchi', 'Ferrari', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco'],
  },
  pt: {
    first: ['Breno', 'Caio', 'Gabriel', 'João', 'Rafael', 'Mariana', 'Thiago', 'Felipe'],
    last: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Andrade', 'Boscaro', 'Costa', 'Pereira'],
  },
  no: {
    first: ['Mikko', 'Vili', 'Anders', 'Erik', 'Victor', 'Emil', 'Sofie', 'Jonas'],
    last: ['Hansen', 'Nielsen', 'Virtanen', 'Tero', 'Lindqvist', 'Andersson', 'Korhonen', 'Berg'],
  },
  pl: {
    first: ['Jakub', 'Kacper', 'Piotr', 'Zofia', 'Mateusz', 'Tomasz'],
    last: ['Nowak', 'Kowalski', 'Wiśniewski', 'Wójcik', 'Kamiński', 'Lewandowski'],
  },
  jp: {
    first: ['Haruto', 'Yuto', 'Sota', 'Yui', 'Kenta', 'Riku'],
    last: ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito'],
  },
};

/** [ISO 3166 alpha-2, alpha-3, flair id, flair name, name set, weight, club id, club name] */
type Country = readonly [string, string, number, string, string, number, number, string];
const COUNTRIES: readonly Country[] = [
  ['US', 'USA', 227, 'United States', 'en', 30, 6, 'Southeast'],
  ['GB', 'GBR', 226, 'United Kingdom', 'en', 8, 33, 'UK and I'],
  ['DE', 'DEU', 77, 'Germany', 'de', 10, 43, 'DE-AT-CH'],
  ['NL', 'NLD', 152, 'Netherlands', 'nl', 4, 34, 'Benelux'],
  ['BE', 'BEL', 21, 'Belgium', 'nl', 2, 34, 'Benelux'],
  ['FR', 'FRA', 71, 'France', 'fr', 4, 35, 'France'],
  ['ES', 'ESP', 198, 'Spain', 'es', 4, 40, 'Iberia'],
  ['IT', 'ITA', 105, 'Italy', 'it', 3, 41, 'Italy'],
  ['BR', 'BRA', 30, 'Brazil', 'pt', 5, 44, 'Brazil'],
  ['PT', 'PRT', 173, 'Portugal', 'pt', 2, 40, 'Iberia'],
  ['AU', 'AUS', 13, 'Australia', 'en', 5, 37, 'Australia-NZ'],
  ['CA', 'CAN', 38, 'Canada', 'en', 4, 14, 'Canada'],
  ['FI', 'FIN', 70, 'Finland', 'no', 2, 36, 'Scandinavia'],
  ['DK', 'DNK', 56, 'Denmark', 'no', 2, 36, 'Scandinavia'],
  ['SE', 'SWE', 206, 'Sweden', 'no', 2, 36, 'Scandinavia'],
  ['MX', 'MEX', 138, 'Mexico', 'es', 2, 45, 'Latin America'],
  ['AR', 'ARG', 10, 'Argentina', 'es', 2, 45, 'Latin America'],
  ['PL', 'POL', 172, 'Poland', 'pl', 2, 46, 'Central-Eastern Europe'],
  ['AT', 'AUT', 14, 'Austria', 'de', 1, 43, 'DE-AT-CH'],
  ['JP', 'JPN', 107, 'Japan', 'jp', 1, 47, 'Asia'],
];
const COUNTRY_WEIGHTS = COUNTRIES.map((c, i) => [i, c[5]] as const);
const US_CLUBS: readonly (readonly [number, string])[] = [
  [6, 'Southeast'],
  [7, 'Midwest'],
  [8, 'Atlantic'],
  [9, 'West'],
  [10, 'New England'],
  [11, 'Texas'],
  [12, 'Carolina'],
];

const CATEGORY_NAMES: Record<SeriesCategory, string> = {
  oval: 'Oval',
  sports_car: 'Sports Car',
  formula_car: 'Formula Car',
  dirt_oval: 'Dirt Oval',
  dirt_road: 'Dirt Road',
};
const CATEGORY_IDS: Record<SeriesCategory, number> = {
  oval: 1,
  sports_car: 5,
  formula_car: 6,
  dirt_oval: 3,
  dirt_road: 4,
};

export interface License {
  category: SeriesCategory;
  level: number;
  /** Safety rating × 100 (sub level), never a multiple of 100 so safety_rating stays a float. */
  sub: number;
  irating: number;
  ttRating: number;
  cpi: number;
  races: number;
}

export interface Member {
  index: number;
  custId: number;
  firstName: string;
  lastName: string;
  displayName: string;
  country: Country;
  clubId: number;
  clubName: string;
  memberSince: number;
  lastLogin: number;
  helmet: Row;
  suit: Row;
  livery: {
    pattern: number;
    colors: [string, string, string];
    number: string;
    rim: number;
    wheel: string | null;
  };
  licenses: Record<SeriesCategory, License>;
}

const hex = (rng: Rng): string => rng.int(0, 0xffffff).toString(16).padStart(6, '0');
/** A float with 5 decimals that is never an integer. */
const float5 = (v: number): number => {
  const x = Math.round(v * 1e5) / 1e5;
  return Number.isInteger(x) ? x + 0.00001 : x;
};

const CUST_BASE = 100_000;
const CUST_STRIDE = 7;
const TEAM_BASE = 100_000;

export class MemberPool {
  readonly size: number;
  readonly accountIndex: number;
  private readonly cache = new Map<number, Member>();
  private readonly stride: number[] = [];
  private readonly inverse: number[] = [];
  private readonly teamStride: number;

  constructor(
    private readonly seed: number,
    scale: number,
    private readonly series: readonly SeriesPlan[],
    private readonly anchor: number,
  ) {
    this.size = Math.max(500, Math.round(30_000 * scale));
    const n = this.size;
    const total = series.reduce((sum, s) => sum + s.popularity, 0) || 1;
    let maxTeams = 1;
    for (const s of series) {
      s.enrolled = clamp(Math.round((3 * n * s.popularity) / total), 12, n);
      s.enrollOffset = hash(seed, 701, s.index) % n;
      const p = STRIDE_PRIMES[s.index % STRIDE_PRIMES.length] % n;
      this.stride[s.index] = p;
      this.inverse[s.index] = modInverse(p, n);
      if (s.teams) maxTeams = Math.max(maxTeams, this.teamCount(s));
    }
    this.teamStride = maxTeams + 1;
    // The account: the first member of the most popular solo series, so it has races to show.
    const solo = series.filter((s) => !s.teams);
    const top = (solo.length > 0 ? solo : series).reduce<SeriesPlan | undefined>(
      (best, s) => (best === undefined || s.enrolled > best.enrolled ? s : best),
      undefined,
    );
    this.accountIndex = top ? this.enrolledAt(top, 0) : 0;
  }

  custId(index: number): number {
    return CUST_BASE + index * CUST_STRIDE + (hash(this.seed, 702, index) % CUST_STRIDE);
  }

  /** The member index of a cust_id, or undefined when no member has it. */
  indexOf(custId: number): number | undefined {
    if (!Number.isInteger(custId) || custId < CUST_BASE) return undefined;
    const index = Math.floor((custId - CUST_BASE) / CUST_STRIDE);
    return index < this.size && this.custId(index) === custId ? index : undefined;
  }

  /** The j-th member signed up for a series (0 <= j < series.enrolled). */
  enrolledAt(s: SeriesPlan, j: number): number {
    return (s.enrollOffset + j * this.stride[s.index]) % this.size;
  }

  /** The member's position among the series' members, or -1. */
  positionIn(s: SeriesPlan, memberIndex: number): number {
    const n = this.size;
    const j = (((memberIndex - s.enrollOffset) % n) + n) % n;
    const pos = (j * this.inverse[s.index]) % n;
    return pos < s.enrolled ? pos : -1;
  }

  seriesOf(memberIndex: number): SeriesPlan[] {
    return this.series.filter((s) => this.positionIn(s, memberIndex) >= 0);
  }

  // --- Teams ----------------------------------------------------------------------------------------------

  teamCount(s: SeriesPlan): number {
    return s.teams ? Math.floor(s.enrolled / s.maxTeamDrivers) : 0;
  }

  private teamSize(s: SeriesPlan, team: number): number {
    const min = Math.max(2, s.minTeamDrivers);
    return Math.min(
      s.maxTeamDrivers,
      min + (hash(this.seed, 703, s.index, team) % (s.maxTeamDrivers - min + 1)),
    );
  }

  teamMembers(s: SeriesPlan, team: number): number[] {
    const out: number[] = [];
    const size = this.teamSize(s, team);
    for (let k = 0; k < size; k++) out.push(this.enrolledAt(s, team * s.maxTeamDrivers + k));
    return out;
  }

  /** The team of a member in a team series, or -1. */
  teamOf(s: SeriesPlan, memberIndex: number): number {
    const pos = this.positionIn(s, memberIndex);
    if (pos < 0) return -1;
    const team = Math.floor(pos / s.maxTeamDrivers);
    if (team >= this.teamCount(s)) return -1;
    return pos - team * s.maxTeamDrivers < this.teamSize(s, team) ? team : -1;
  }

  /** A team's id (positive; results carry it negated, as iRacing does). */
  teamId(s: SeriesPlan, team: number): number {
    return TEAM_BASE + s.index * this.teamStride + team;
  }

  decodeTeam(teamId: number): { series: SeriesPlan; team: number } | undefined {
    const id = Math.abs(teamId) - TEAM_BASE;
    if (!Number.isInteger(id) || id < 0) return undefined;
    const series = this.series[Math.floor(id / this.teamStride)];
    const team = id % this.teamStride;
    return series && series.teams && team < this.teamCount(series) ? { series, team } : undefined;
  }

  teamName(s: SeriesPlan, team: number): string {
    const rng = new Rng(hash(this.seed, 704, s.index, team));
    const a = [
      'Apex',
      'Redline',
      'Velocity',
      'Pitlane',
      'Slipstream',
      'Turbo',
      'Torque',
      'Blue Flag',
      'Chicane',
    ];
    const b = ['Racing', 'Motorsport', 'Sim Racing', 'Esports', 'Racing Team', 'Performance'];
    return `${rng.pick(a)} ${rng.pick(b)} #${rng.int(1, 99)}`;
  }

  // --- Members --------------------------------------------------------------------------------------------

  member(index: number): Member {
    const cached = this.cache.get(index);
    if (cached) return cached;
    const m = this.build(index);
    if (this.cache.size >= 20_000) this.cache.clear();
    this.cache.set(index, m);
    return m;
  }

  private build(index: number): Member {
    const rng = new Rng(hash(this.seed, 705, index));
    const country = COUNTRIES[rng.weighted(COUNTRY_WEIGHTS)];
    const names = NAMES[country[4]];
    const firstName = rng.pick(names.first);
    const lastName = rng.pick(names.last);
    const displayName = `${firstName} ${lastName}${rng.bool(0.2) ? rng.int(1, 9) : ''}`;
    const club = country[0] === 'US' ? rng.pick(US_CLUBS) : ([country[6], country[7]] as const);
    const memberSince =
      Date.UTC(2008, 0, 1) +
      rng.int(0, Math.max(1, Math.floor((this.anchor - Date.UTC(2008, 0, 31)) / DAY))) * DAY;
    const active = new Set(this.seriesOf(index).map((s) => s.category));
    // Skill: log-normal around 1350, like iRating.
    const z = rng.next() + rng.next() + rng.next() - 1.5;
    const skill = clamp(1350 * Math.exp(z * 0.9), 250, 9500);
    const licenses = {} as Record<SeriesCategory, License>;
    for (const category of LICENSE_CATEGORIES) {
      const racing = active.has(category) || rng.bool(0.25);
      const irating = racing
        ? Math.round(clamp(skill * Math.exp((rng.next() - 0.5) * 0.5), 150, 9900))
        : 1350;
      const group = racing ? clamp(Math.round(2 + (skill / 1350) * 1.2 + rng.float(-1, 1)), 2, 5) : 1;
      const level = racing ? (group - 1) * 4 + rng.int(1, 4) : 2;
      let sub = racing ? rng.int(150, 499) : 250;
      if (sub % 100 === 0) sub += 1;
      licenses[category] = {
        category,
        level,
        sub,
        irating,
        ttRating: racing && rng.bool(0.3) ? rng.int(900, 2200) : 1350,
        cpi: float5(racing ? rng.float(15, 90) : 10.10941),
        races: racing ? rng.int(0, 12) : 0,
      };
    }
    return {
      index,
      custId: this.custId(index),
      firstName,
      lastName,
      displayName,
      country,
      clubId: club[0],
      clubName: club[1],
      memberSince,
      lastLogin: this.anchor - rng.int(0, 30 * 24 * 3600) * 1000,
      helmet: {
        pattern: rng.int(1, 70),
        color1: hex(rng),
        color2: hex(rng),
        color3: hex(rng),
        face_type: 0,
        helmet_type: 0,
      },
      suit: { pattern: rng.int(1, 40), color1: hex(rng), color2: hex(rng), color3: hex(rng) },
      livery: {
        pattern: rng.int(0, 30),
        colors: [hex(rng), hex(rng), hex(rng)],
        number: String(rng.int(0, 999)),
        rim: rng.int(0, 5),
        wheel: rng.bool(0.1) ? null : hex(rng),
      },
      licenses,
    };
  }

  /** The member's iRating in a category at a time: the license's rating drifting slowly over months. */
  iratingAt(m: Member, category: SeriesCategory, at: number): number {
    const base = m.licenses[category].irating;
    const phase = unit(hash(this.seed, 706, m.index)) * Math.PI * 2;
    return Math.max(100, Math.round(base + 120 * Math.sin(at / (40 * DAY) + phase)));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Payloads

function licenseRow(l: License, seq: number): Row {
  const group = groupOfLevel(l.level);
  return {
    category_id: CATEGORY_IDS[l.category],
    category: l.category,
    category_name: CATEGORY_NAMES[l.category],
    license_level: l.level,
    safety_rating: l.sub / 100,
    cpi: l.cpi,
    irating: l.irating,
    tt_rating: l.ttRating,
    mpr_num_races: l.races,
    color: group.color,
    group_name: group.name,
    group_id: group.id,
    pro_promotable: false,
    seq,
    mpr_num_tts: 0,
  };
}

function licensesByCategory(m: Member): Row {
  const out: Row = {};
  LICENSE_CATEGORIES.forEach((c, i) => (out[c] = licenseRow(m.licenses[c], i + 1)));
  return out;
}

/**
 * The `/data/member/info` payload (shaped like member-info.json) of the account, or of another member as a token
 * issued to that member sees it (docs/architecture.md §5.1). Each member owns the free content and its own subset
 * of the paid content: the account 30% of it, the others between 5% and 75%, drawn from their index.
 */
export function memberInfo(
  pool: MemberPool,
  catalog: SyntheticCatalog,
  lastSeason: number,
  seed: number,
  index = pool.accountIndex,
): Row {
  const m = pool.member(index);
  const account = index === pool.accountIndex;
  const rng = new Rng(account ? hash(seed, 710) : hash(seed, 711, index + 1));
  const share = account ? 0.3 : 0.05 + 0.7 * unit(hash(seed, 712, index + 1));
  const owned = <T extends Row>(rows: readonly T[]): Map<number, number[]> => {
    const byPackage = new Map<number, number[]>();
    for (const row of rows) {
      const id = (row.car_id ?? row.track_id) as number;
      const pkg = row.package_id as number;
      if (row.free_with_subscription !== true && !rng.bool(share)) continue;
      const list = byPackage.get(pkg) ?? [];
      list.push(id);
      byPackage.set(pkg, list);
    }
    return byPackage;
  };
  const packages = (byPackage: Map<number, number[]>): Row[] =>
    [...byPackage.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([package_id, content_ids]) => ({ package_id, content_ids }));
  const carPackages = owned(catalog.cars);
  const trackPackages = owned(catalog.tracks);
  // Complete each owned track package (all its layouts come with it).
  for (const t of catalog.tracks) {
    const list = trackPackages.get(t.package_id as number);
    if (list && !list.includes(t.track_id as number)) list.push(t.track_id as number);
  }
  const other: number[] = [];
  for (let i = 0; i < 60; i++) other.push(rng.int(1, 520));
  return {
    cust_id: m.custId,
    display_name: m.displayName,
    first_name: m.firstName,
    last_name: m.lastName,
    on_car_name: m.lastName,
    member_since: new Date(m.memberSince).toISOString().slice(0, 10),
    flair_id: m.country[2],
    flair_name: m.country[3],
    flair_shortname: m.country[1],
    flair_country_code: m.country[1],
    last_login: new Date(m.lastLogin).toISOString().replace('.000Z', '.000000000Z'),
    read_tc: isoTime(m.memberSince + 400 * DAY),
    read_pp: isoTime(m.memberSince + 430 * DAY),
    read_comp_rules: isoTime(m.memberSince + 3600_000),
    flags: 0,
    connection_type: 'BROADBAND+',
    download_server: 'Default',
    account: { ir_dollars: 0, ir_credits: 0, status: 'active', country_rules: null },
    helmet: m.helmet,
    suit: { ...m.suit, body_type: 0 },
    licenses: licensesByCategory(m),
    car_packages: packages(carPackages),
    track_packages: packages(trackPackages),
    other_owned_packages: [...new Set(other)],
    dev: false,
    alpha_tester: false,
    rain_tester: false,
    broadcaster: false,
    restrictions: {},
    has_read_comp_rules: true,
    has_read_nda: false,
    flags_hex: '0',
    hundred_pct_club: false,
    twenty_pct_discount: false,
    last_season: lastSeason,
    has_additional_content: true,
    has_read_tc: true,
    has_read_pp: true,
  };
}

/** One member of `/data/member/get`. */
export function memberGetRow(m: Member, includeLicenses: boolean): Row {
  const row: Row = {
    cust_id: m.custId,
    display_name: m.displayName,
    helmet: m.helmet,
    last_login: isoTime(m.lastLogin),
    member_since: new Date(m.memberSince).toISOString().slice(0, 10),
    club_id: m.clubId,
    club_name: m.clubName,
    ai: false,
    flair_id: m.country[2],
    flair_name: m.country[3],
    flair_shortname: m.country[1],
    flair_country_code: m.country[1],
  };
  if (includeLicenses) row.licenses = LICENSE_CATEGORIES.map((c, i) => licenseRow(m.licenses[c], i + 1));
  return row;
}

export const divisionOf = (irating: number): number => clamp(Math.floor((5200 - irating) / 450), 0, 9);
