// Deterministic synthetic iRacing catalog: the payloads of `/data/car/get`, `/data/carclass/get` and
// `/data/track/get`, shaped like the recorded responses in ../shared/iracing-samples (same keys, JSON types and
// sometimes-absent keys) and sized by `scale` (1 = the size of the real catalog). Same seed and scale, same JSON.
import { mixSeed, Rng } from './random.js';

export interface SyntheticCatalog {
  cars: Record<string, unknown>[];
  carClasses: Record<string, unknown>[];
  tracks: Record<string, unknown>[];
}

export interface CatalogOptions {
  seed?: number;
  scale?: number;
}

type Row = Record<string, unknown>;
type Weighted<T> = readonly (readonly [T, number])[];
type Range = readonly [number, number];

/** Sizes of the recorded catalog (2025-09): scale 1 reproduces them exactly. */
export const CATALOG_BASE_SIZES = { cars: 181, carClasses: 251, tracks: 424, trackPackages: 148 } as const;

const DAY = 86_400_000;
const START = Date.UTC(2006, 3, 1);
const END = Date.UTC(2025, 7, 31);

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

const iso = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const yearOf = (ms: number): number => new Date(ms).getUTCFullYear();
const money = (price: number): string => `$${price.toFixed(2)}`;

const slugs = new Map<string, string>();
function slug(s: string): string {
  let out = slugs.get(s);
  if (out === undefined) {
    out = s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '');
    if (slugs.size < 100_000) slugs.set(s, out);
  }
  return out;
}

function kebab(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** A float with `decimals` places that is never an integer (the API serves these keys as floats). */
function fraction(rng: Rng, min: number, max: number, decimals: number): number {
  const unit = 10 ** decimals;
  let v = Math.round(rng.float(min, max) * unit);
  if (v % unit === 0) v += 1;
  return v / unit;
}

const between = (rng: Rng, [min, max]: Range): number => rng.int(min, max);
const timeBetween = (rng: Rng, from: number, to: number): number =>
  from + rng.int(0, Math.max(0, Math.floor((to - from) / 1000))) * 1000;

/** The first sale: a few days to months after creation, usually at midnight UTC. */
function firstSale(rng: Rng, created: number): number {
  const day = Math.floor((created + rng.int(1, 90) * DAY) / DAY) * DAY;
  return rng.bool(0.9) ? day : day + rng.int(0, 86_399) * 1000;
}

/** Ascending ids with gaps, like ids that survive deletions. */
function idSequence(rng: Rng, first: number, count: number, gaps: Weighted<Range>): number[] {
  const ids: number[] = [];
  let id = first;
  for (let i = 0; i < count; i++) {
    ids.push(id);
    id += between(rng, rng.weighted(gaps));
  }
  return ids;
}

const scaled = (base: number, scale: number): number => Math.max(0, Math.round(base * scale));
const pickKey = (rng: Rng, pool: MakePool): string => rng.pick(Object.keys(pool));

// ---------------------------------------------------------------------------------------------------------------
// Cars

type CarCategory = 'sports_car' | 'oval' | 'formula_car' | 'dirt_oval' | 'dirt_road';
type MakePool = Readonly<Record<string, readonly string[]>>;

/** What a family of cars (model years of one make and model) is called. */
interface Identity {
  base: string;
  make?: string;
  model?: string;
  series?: string;
}

interface CarKind {
  key: string;
  category: CarCategory;
  share: number;
  types: readonly string[];
  hp: Range;
  lbs: Range;
  speed: Range;
  rain: number;
  headlights: number;
  /** Label of the multi-car classes of this kind, e.g. `GT3` → `GT3 Class`. */
  label: string;
  identity(rng: Rng): Identity;
}

const GT_MAKES: MakePool = {
  Porsche: ['911', '718 Cayman', 'Carrera'],
  BMW: ['M4', 'M8', 'Z4', 'M6'],
  Audi: ['R8', 'RS 5'],
  'Mercedes-AMG': ['GT', 'SLS', 'C 63'],
  Ferrari: ['296', '488', '458'],
  Lamborghini: ['Huracan', 'Gallardo'],
  McLaren: ['720S', '570S', 'MP4-12C'],
  'Aston Martin': ['Vantage', 'DBR9'],
  Chevrolet: ['Corvette Z06', 'Corvette C8.R', 'Camaro'],
  Ford: ['Mustang', 'GT'],
  Acura: ['NSX'],
  Lexus: ['RC F'],
  Nissan: ['GT-R', 'Z'],
  Toyota: ['Supra'],
  Bentley: ['Continental'],
};
const PROTO_MAKES: MakePool = {
  Acura: ['ARX-06', 'ARX-05'],
  Porsche: ['963', '919'],
  BMW: ['M Hybrid V8'],
  Cadillac: ['V-Series.R', 'DPi-V.R'],
  Ligier: ['JS P320', 'JS P217'],
  Dallara: ['P217'],
  Oreca: ['07'],
  Radical: ['SR8', 'SR10'],
  HPD: ['ARX-01c'],
  Riley: ['MkXX'],
  Nissan: ['ZX-T'],
  Mazda: ['RT24-P'],
};
const TOURING_MAKES: MakePool = {
  Honda: ['Civic Type R', 'Integra'],
  Hyundai: ['Elantra N', 'Veloster N'],
  Audi: ['RS 3', 'A4'],
  Volkswagen: ['Golf', 'Jetta TDI'],
  Renault: ['Clio', 'Megane'],
  Kia: ['Optima', 'Ceed'],
  Toyota: ['Corolla', 'GR86'],
  BMW: ['M2 CS', '320i'],
  Cadillac: ['CTS-V'],
  Ford: ['Focus', 'Mustang FR500S'],
};
const ROADSTER_MAKES: MakePool = {
  Mazda: ['MX-5', 'MX-5 Roadster'],
  Pontiac: ['Solstice'],
  Toyota: ['GR86'],
  Subaru: ['BRZ'],
  Lotus: ['Elise', 'Exige'],
  Fiat: ['124 Spider'],
};
const F1_MAKES: MakePool = {
  Williams: ['FW31', 'FW14'],
  McLaren: ['MP4-30', 'MCL36'],
  'Mercedes-AMG': ['W12', 'W13'],
  Lotus: ['79', '49'],
  Ferrari: ['F2004', 'SF-23'],
  'Red Bull': ['RB19'],
};
const INDY_MAKES: MakePool = { Dallara: ['IR18', 'DW12', 'IR-05', 'iR-01'], Lola: ['B05'], Panoz: ['DP01'] };
const JUNIOR_MAKES: MakePool = {
  Dallara: ['F3', 'F317'],
  Tatuus: ['F4', 'FA010', 'PM-18', 'USF-17'],
  Mygale: ['M14'],
  Ligier: ['JS F4'],
  'Skip Barber': ['Formula 2000'],
  Ray: ['FF1600'],
  'Van Diemen': ['RF00'],
};
const VEE_MAKES: MakePool = { Volkswagen: ['Formula Vee'], Citation: ['Vee'], Caracal: ['Vee'] };
const STOCK_MAKES: MakePool = {
  Chevrolet: ['Camaro ZL1', 'Camaro', 'Impala', 'Impala SS', 'SS', 'Monte Carlo', 'Monte Carlo SS', 'Lumina'],
  Ford: ['Mustang', 'Mustang Dark Horse', 'Fusion', 'Taurus', 'Thunderbird'],
  Toyota: ['Camry', 'Camry TRD', 'Supra'],
  Dodge: ['Charger', 'Intrepid'],
};
const TRUCK_MAKES: MakePool = {
  Chevrolet: ['Silverado', 'Silverado RST'],
  Ford: ['F150', 'F150 Raptor'],
  Toyota: ['Tundra', 'Tundra TRD Pro'],
  Ram: ['1500'],
};
const RALLY_MAKES: MakePool = {
  Ford: ['Fiesta'],
  Volkswagen: ['Beetle', 'Polo'],
  Subaru: ['WRX STI'],
  Hyundai: ['i20'],
  Peugeot: ['208'],
  Audi: ['S1'],
};
const OFFROAD_MAKES: MakePool = { Ford: ['F150'], Chevrolet: ['Silverado'], Toyota: ['Tundra'] };

const SERIES_REGIONS = [
  'Southern',
  'Northern',
  'Midwest',
  'Pacific',
  'Atlantic',
  'Great Lakes',
  'Mountain',
  'Gulf Coast',
  'Eastern',
  'Western',
  'Carolina',
  'Texas',
  'Canadian',
  'Australian',
  'European',
];

const CODE_LETTERS = [...'ABCDEFGHJKLMNPRSTVXZ'];

/** A made-up model code such as `488`, `M4`, `RS-35` or `K12R`. */
function modelCode(rng: Rng): string {
  switch (rng.int(0, 3)) {
    case 0:
      return `${rng.int(1, 9)}${rng.int(0, 9)}${rng.int(0, 9)}`;
    case 1:
      return `${rng.pick(CODE_LETTERS)}${rng.int(1, 9)}`;
    case 2:
      return `${rng.pick(CODE_LETTERS)}${rng.pick(CODE_LETTERS)}-${rng.int(10, 99)}`;
    default:
      return `${rng.pick(CODE_LETTERS)}${rng.int(10, 99)}${rng.pick(['', 'S', 'R', 'X'])}`;
  }
}

/** `BMW M4 GT3`: make `BMW`, model `M4 GT3`. */
const makeModel =
  (makes: MakePool, suffix: string) =>
  (rng: Rng): Identity => {
    const make = pickKey(rng, makes);
    const code = rng.bool(0.7) ? rng.pick(makes[make]) : modelCode(rng);
    const model = suffix ? `${code} ${suffix}` : code;
    return { base: `${make} ${model}`, make, model };
  };

/** `NASCAR Cup Series Ford Mustang`: the same make and model recur across series. */
const seriesCar =
  (series: readonly string[], generic: string, makes: MakePool) =>
  (rng: Rng): Identity => {
    const s = rng.bool(0.8) ? rng.pick(series) : `${rng.pick(SERIES_REGIONS)} ${generic}`;
    const make = pickKey(rng, makes);
    const model = rng.pick(makes[make]);
    return { base: `${s} ${make} ${model}`, make, model, series: s };
  };

/** `Dirt Sprint Car - 410`: usually no make; the model, when there is one, is the variant or the type. */
const typedCar =
  (types: readonly string[], variants: readonly string[], makes: MakePool | null, makeShare: number) =>
  (rng: Rng): Identity => {
    const type = rng.pick(types);
    const variant = variants.length > 0 && rng.bool(0.75) ? rng.pick(variants) : '';
    const base = variant ? `${type} - ${variant}` : type;
    if (makes && rng.bool(makeShare)) {
      const make = pickKey(rng, makes);
      return { base: `${make} ${base}`, make, model: base };
    }
    const model = /winged/i.test(variant) ? variant : rng.bool(0.7) ? type : undefined;
    return { base, model };
  };

/** `Modified - SK`: make `Modified`, model `SK`. */
const brandedCar =
  (
    make: string,
    models: readonly string[],
    pattern: (model: string) => string,
    variants: readonly string[],
  ) =>
  (rng: Rng): Identity => {
    const model = rng.pick(models);
    const variant = variants.length > 0 && rng.bool(0.5) ? ` - ${rng.pick(variants)}` : '';
    return { base: `${pattern(model)}${variant}`, make, model };
  };

const kind = (k: Omit<CarKind, 'identity'>, identity: (rng: Rng) => Identity): CarKind => ({
  ...k,
  identity,
});

const CAR_KINDS: readonly CarKind[] = [
  // sports_car: 46%
  kind(
    {
      key: 'gt3',
      category: 'sports_car',
      share: 0.11,
      types: ['road', 'sportscar', 'gt3'],
      hp: [480, 580],
      lbs: [2700, 3150],
      speed: [70, 80],
      rain: 0.75,
      headlights: 1,
      label: 'GT3',
    },
    makeModel(GT_MAKES, 'GT3'),
  ),
  kind(
    {
      key: 'gt4',
      category: 'sports_car',
      share: 0.05,
      types: ['road', 'sportscar', 'gt4'],
      hp: [380, 460],
      lbs: [2950, 3350],
      speed: [60, 66],
      rain: 0.7,
      headlights: 1,
      label: 'GT4',
    },
    makeModel(GT_MAKES, 'GT4'),
  ),
  kind(
    {
      key: 'gte',
      category: 'sports_car',
      share: 0.03,
      types: ['road', 'sportscar', 'gte', 'gtlm'],
      hp: [480, 560],
      lbs: [2700, 2900],
      speed: [78, 84],
      rain: 0.6,
      headlights: 1,
      label: 'GTE',
    },
    makeModel(GT_MAKES, 'GTE'),
  ),
  kind(
    {
      key: 'gtp',
      category: 'sports_car',
      share: 0.03,
      types: ['road', 'prototype', 'gtp', 'lmdh'],
      hp: [640, 700],
      lbs: [2250, 2350],
      speed: [92, 98],
      rain: 0.7,
      headlights: 1,
      label: 'GTP',
    },
    makeModel(PROTO_MAKES, 'GTP'),
  ),
  kind(
    {
      key: 'lmp2',
      category: 'sports_car',
      share: 0.02,
      types: ['road', 'prototype', 'lmp2'],
      hp: [560, 610],
      lbs: [2050, 2150],
      speed: [86, 90],
      rain: 0.6,
      headlights: 1,
      label: 'LMP2',
    },
    makeModel(PROTO_MAKES, 'LMP2'),
  ),
  kind(
    {
      key: 'tcr',
      category: 'sports_car',
      share: 0.03,
      types: ['road', 'sportscar', 'tcr'],
      hp: [330, 350],
      lbs: [2750, 2900],
      speed: [52, 56],
      rain: 0.6,
      headlights: 0.8,
      label: 'TCR',
    },
    makeModel(TOURING_MAKES, 'TCR'),
  ),
  kind(
    {
      key: 'cup',
      category: 'sports_car',
      share: 0.05,
      types: ['road', 'sportscar', 'cup'],
      hp: [420, 520],
      lbs: [2700, 2950],
      speed: [64, 70],
      rain: 0.5,
      headlights: 0.8,
      label: 'Cup',
    },
    makeModel(GT_MAKES, 'Cup'),
  ),
  kind(
    {
      key: 'touring',
      category: 'sports_car',
      share: 0.06,
      types: ['road', 'sportscar', 'touring'],
      hp: [150, 320],
      lbs: [2200, 3300],
      speed: [40, 55],
      rain: 0.3,
      headlights: 0.6,
      label: 'Touring Car',
    },
    makeModel(TOURING_MAKES, ''),
  ),
  kind(
    {
      key: 'roadster',
      category: 'sports_car',
      share: 0.04,
      types: ['road', 'sportscar', 'roadster'],
      hp: [150, 200],
      lbs: [2250, 2450],
      speed: [25, 35],
      rain: 0.3,
      headlights: 0.3,
      label: 'Roadster',
    },
    makeModel(ROADSTER_MAKES, ''),
  ),
  kind(
    {
      key: 'gt1',
      category: 'sports_car',
      share: 0.02,
      types: ['road', 'sportscar', 'gt1'],
      hp: [590, 620],
      lbs: [2800, 2900],
      speed: [76, 80],
      rain: 0.1,
      headlights: 1,
      label: 'GT1',
    },
    makeModel(GT_MAKES, 'GT1'),
  ),
  kind(
    {
      key: 'classic',
      category: 'sports_car',
      share: 0.02,
      types: ['road', 'prototype', 'classic'],
      hp: [600, 800],
      lbs: [1950, 2200],
      speed: [80, 90],
      rain: 0.1,
      headlights: 0.8,
      label: 'Classic Prototype',
    },
    makeModel(PROTO_MAKES, ''),
  ),
  // oval: 27%
  kind(
    {
      key: 'stock_cup',
      category: 'oval',
      share: 0.06,
      types: ['oval', 'nascar', 'cupcar'],
      hp: [670, 850],
      lbs: [3300, 3500],
      speed: [55, 62],
      rain: 0,
      headlights: 0.1,
      label: 'Cup Series',
    },
    seriesCar(['NASCAR Cup Series', 'Next Gen Cup', 'Gen 6 Cup', 'Gen 4 Cup'], 'Stock Car', STOCK_MAKES),
  ),
  kind(
    {
      key: 'stock_xfinity',
      category: 'oval',
      share: 0.04,
      types: ['oval', 'nascar', 'xfinity'],
      hp: [600, 650],
      lbs: [3200, 3400],
      speed: [50, 56],
      rain: 0,
      headlights: 0.1,
      label: 'Xfinity Series',
    },
    seriesCar(['NASCAR Xfinity Series', 'Nationwide Series', 'Busch Series'], 'Sportsman', STOCK_MAKES),
  ),
  kind(
    {
      key: 'stock_truck',
      category: 'oval',
      share: 0.04,
      types: ['oval', 'nascar', 'truck'],
      hp: [600, 700],
      lbs: [3350, 3450],
      speed: [48, 54],
      rain: 0,
      headlights: 0.1,
      label: 'Truck Series',
    },
    seriesCar(['NASCAR Truck Series', 'Craftsman Truck Series'], 'Truck', TRUCK_MAKES),
  ),
  kind(
    {
      key: 'stock_arca',
      category: 'oval',
      share: 0.02,
      types: ['oval', 'arca'],
      hp: [650, 750],
      lbs: [3400, 3500],
      speed: [46, 52],
      rain: 0,
      headlights: 0.1,
      label: 'ARCA',
    },
    seriesCar(['ARCA Menards', 'ARCA Series'], 'Super Stock', STOCK_MAKES),
  ),
  kind(
    {
      key: 'late_model',
      category: 'oval',
      share: 0.04,
      types: ['oval', 'latemodel'],
      hp: [380, 600],
      lbs: [2800, 3100],
      speed: [40, 48],
      rain: 0,
      headlights: 0.1,
      label: 'Late Model',
    },
    typedCar(
      ['Late Model Stock', 'Super Late Model', 'Pro Late Model', 'Late Model'],
      ['Limited', 'Crate', 'Tour'],
      STOCK_MAKES,
      0.5,
    ),
  ),
  kind(
    {
      key: 'modified',
      category: 'oval',
      share: 0.03,
      types: ['oval', 'mod'],
      hp: [450, 650],
      lbs: [2500, 2700],
      speed: [45, 52],
      rain: 0,
      headlights: 0,
      label: 'Modified',
    },
    brandedCar(
      'Modified',
      ['SK', 'Tour', 'Tour Type', 'Pro', 'Sportsman', 'Midwest', 'Southern'],
      (m) => `Modified - ${m}`,
      [],
    ),
  ),
  kind(
    {
      key: 'legends',
      category: 'oval',
      share: 0.02,
      types: ['oval', 'legends'],
      hp: [120, 140],
      lbs: [1250, 1350],
      speed: [15, 22],
      rain: 0,
      headlights: 0,
      label: 'Legends',
    },
    brandedCar(
      'Legends',
      ["Ford '34 Coupe", "Dodge '34 Coupe", "Chevrolet '37 Coupe", "Ford '40 Coupe"],
      (m) => `Legends ${m}`,
      ['Rookie', 'Pro', 'Masters'],
    ),
  ),
  kind(
    {
      key: 'street_stock',
      category: 'oval',
      share: 0.02,
      types: ['oval', 'streetstock'],
      hp: [300, 400],
      lbs: [3000, 3300],
      speed: [25, 32],
      rain: 0,
      headlights: 0,
      label: 'Street Stock',
    },
    typedCar(
      ['Street Stock', 'Mini Stock', 'Pure Stock', 'Hobby Stock'],
      ['Panther C1', 'Eagle T3', 'Casino M2'],
      STOCK_MAKES,
      0.3,
    ),
  ),
  // formula_car: 13%
  kind(
    {
      key: 'f1',
      category: 'formula_car',
      share: 0.03,
      types: ['road', 'openwheel', 'f1', 'formula1'],
      hp: [850, 1000],
      lbs: [1550, 1800],
      speed: [120, 140],
      rain: 0.6,
      headlights: 0,
      label: 'Formula One',
    },
    makeModel(F1_MAKES, ''),
  ),
  kind(
    {
      key: 'indy',
      category: 'formula_car',
      share: 0.03,
      types: ['oval', 'road', 'openwheel', 'indycar'],
      hp: [650, 750],
      lbs: [1550, 1700],
      speed: [100, 115],
      rain: 0.3,
      headlights: 0,
      label: 'IndyCar',
    },
    makeModel(INDY_MAKES, ''),
  ),
  kind(
    {
      key: 'f3',
      category: 'formula_car',
      share: 0.03,
      types: ['road', 'openwheel', 'f3'],
      hp: [230, 280],
      lbs: [1200, 1300],
      speed: [75, 85],
      rain: 0.7,
      headlights: 0,
      label: 'Formula 3',
    },
    makeModel(JUNIOR_MAKES, ''),
  ),
  kind(
    {
      key: 'f4',
      category: 'formula_car',
      share: 0.02,
      types: ['road', 'openwheel', 'f4'],
      hp: [150, 180],
      lbs: [1150, 1250],
      speed: [55, 62],
      rain: 0.7,
      headlights: 0,
      label: 'Formula 4',
    },
    makeModel(JUNIOR_MAKES, 'F4'),
  ),
  kind(
    {
      key: 'vee',
      category: 'formula_car',
      share: 0.02,
      types: ['road', 'openwheel', 'formulavee'],
      hp: [100, 120],
      lbs: [900, 1050],
      speed: [20, 28],
      rain: 0.5,
      headlights: 0,
      label: 'Formula Vee',
    },
    makeModel(VEE_MAKES, ''),
  ),
  // dirt_oval: 10%
  kind(
    {
      key: 'dirt_sprint',
      category: 'dirt_oval',
      share: 0.03,
      types: ['dirt', 'dirtoval', 'sprintcar'],
      hp: [400, 900],
      lbs: [760, 1450],
      speed: [60, 75],
      rain: 0,
      headlights: 0,
      label: 'Dirt Sprint Car',
    },
    typedCar(
      ['Dirt Sprint Car', 'Dirt Micro Sprint Car', 'Dirt Outlaw Micro Sprint Car'],
      ['305', '360', '410', 'Winged', 'Non-Winged'],
      null,
      0,
    ),
  ),
  kind(
    {
      key: 'dirt_late_model',
      category: 'dirt_oval',
      share: 0.03,
      types: ['dirt', 'dirtoval', 'dlm'],
      hp: [600, 850],
      lbs: [2250, 2400],
      speed: [55, 65],
      rain: 0,
      headlights: 0,
      label: 'Dirt Late Model',
    },
    typedCar(
      ['Dirt Late Model', 'Dirt Pro Late Model', 'Dirt Limited Late Model'],
      ['Limited', 'Pro', 'Super', 'Crate'],
      null,
      0,
    ),
  ),
  kind(
    {
      key: 'dirt_midget',
      category: 'dirt_oval',
      share: 0.01,
      types: ['dirt', 'dirtoval', 'midget'],
      hp: [300, 380],
      lbs: [900, 1100],
      speed: [45, 52],
      rain: 0,
      headlights: 0,
      label: 'Dirt Midget',
    },
    typedCar(['Dirt Midget', 'Dirt Wingless Midget'], ['Pro', 'Outlaw'], null, 0),
  ),
  kind(
    {
      key: 'dirt_modified',
      category: 'dirt_oval',
      share: 0.02,
      types: ['dirt', 'dirtoval', 'dirtmod'],
      hp: [400, 800],
      lbs: [2300, 2500],
      speed: [45, 55],
      rain: 0,
      headlights: 0,
      label: 'Dirt Modified',
    },
    typedCar(
      ['Dirt UMP Modified', 'Dirt Big Block Modified', 'Dirt 358 Modified', 'Dirt Sport Mod'],
      ['Pro', 'Limited'],
      null,
      0,
    ),
  ),
  kind(
    {
      key: 'dirt_street_stock',
      category: 'dirt_oval',
      share: 0.01,
      types: ['dirt', 'dirtoval', 'streetstock'],
      hp: [250, 350],
      lbs: [2900, 3200],
      speed: [25, 32],
      rain: 0,
      headlights: 0,
      label: 'Dirt Street Stock',
    },
    typedCar(['Dirt Street Stock', 'Dirt Mini Stock', 'Dirt Hobby Stock'], ['Pro'], null, 0),
  ),
  // dirt_road: 4%
  kind(
    {
      key: 'rallycross',
      category: 'dirt_road',
      share: 0.02,
      types: ['dirt', 'dirtroad', 'rallycross'],
      hp: [300, 600],
      lbs: [2500, 2900],
      speed: [40, 50],
      rain: 0.5,
      headlights: 0.9,
      label: 'Rallycross',
    },
    makeModel(RALLY_MAKES, 'Rallycross'),
  ),
  kind(
    {
      key: 'offroad',
      category: 'dirt_road',
      share: 0.02,
      types: ['dirt', 'dirtroad', 'offroad', 'offroadtruck'],
      hp: [250, 900],
      lbs: [3000, 4000],
      speed: [35, 50],
      rain: 0,
      headlights: 0.5,
      label: 'Off Road Trucks',
    },
    typedCar(
      ['Pro 2 Off Road Truck', 'Pro 4 Off Road Truck', 'Pro 2 Lite Off Road Truck', 'Stadium Super Truck'],
      [],
      OFFROAD_MAKES,
      0.4,
    ),
  ),
];

const CAR_KIND_WEIGHTS: Weighted<CarKind> = CAR_KINDS.map((k) => [k, k.share] as const);
const FAMILY_SIZES: Weighted<number> = [
  [1, 88],
  [2, 9],
  [3, 2],
  [4, 1],
];
const CAR_PRICES: Weighted<'paid' | 'cheap' | 'free'> = [
  ['paid', 0.67],
  ['free', 0.19],
  ['cheap', 0.14],
];
const PATTERN_COUNTS: Weighted<number> = [
  [24, 50],
  [25, 21],
  [26, 8],
  [33, 4],
  [23, 3],
  [30, 2],
  [27, 2],
  [20, 2],
  [21, 2],
  [22, 1],
  [29, 1],
  [19, 1],
  [1, 1],
  [3, 1],
  [36, 1],
];
const PAINT_EXPLANATIONS = [
  "The currently selected car pattern doesn't allow painting the car or the car's numbers.",
  "The currently selected car pattern doesn't allow painting the car, the wheels, or changing the car fonts.",
  "The currently selected car pattern doesn't allow painting the car or changes to sponsors.",
  "The currently selected car pattern doesn't allow painting the car or changing the number fonts.",
  "The currently selected car pattern doesn't allow painting the car and sponsor.",
];

const PAINT_PATTERN_COUNTS: Weighted<number> = [
  [1, 40],
  [2, 18],
  [3, 8],
  [4, 2],
  [5, 2],
  [7, 1],
];

interface CarPlan {
  kind: CarKind;
  identity: Identity;
  name: string;
  created: number;
  latest: boolean;
  year: number;
  retired: boolean;
  speed: number;
}

/** A family base name not used before: retries, then `Evo 2`, `Evo 3`, ... */
function uniqueIdentity(rng: Rng, k: CarKind, used: Set<string>): Identity {
  for (let attempt = 0; attempt < 8; attempt++) {
    const identity = k.identity(rng);
    if (!used.has(identity.base)) {
      used.add(identity.base);
      return identity;
    }
  }
  const identity = k.identity(rng);
  for (let evo = 2; ; evo++) {
    const base = `${identity.base} Evo ${evo}`;
    if (!used.has(base)) {
      used.add(base);
      return { ...identity, base };
    }
  }
}

/** Families of cars (the model years of one make and model), older years `[Legacy]` or `[Retired]`. */
function planCars(rng: Rng, count: number): CarPlan[] {
  const used = new Set<string>();
  const plans: CarPlan[] = [];
  while (plans.length < count) {
    const k = rng.weighted(CAR_KIND_WEIGHTS);
    const identity = uniqueIdentity(rng, k, used);
    const size = Math.min(count - plans.length, rng.weighted(FAMILY_SIZES));
    const dates = Array.from({ length: size }, () => timeBetween(rng, START, END)).sort((a, b) => a - b);
    let lastYear = 0;
    dates.forEach((created, i) => {
      const latest = i === size - 1;
      const year = Math.max(yearOf(created), lastYear + 1);
      lastYear = year;
      const retired = latest ? rng.bool(0.01) : rng.bool(0.1);
      const prefix = retired ? '[Retired] ' : !latest && rng.bool(0.8) ? '[Legacy] ' : '';
      const name = latest ? `${prefix}${identity.base}` : `${prefix}${identity.base} - ${year}`;
      plans.push({ kind: k, identity, name, created, latest, year, retired, speed: between(rng, k.speed) });
    });
  }
  return plans;
}

function paintRules(rng: Rng): Row {
  if (rng.bool(0.02)) return { RestrictCustomPaint: true };
  const withNumbers = rng.bool(0.4);
  const withWheel = withNumbers && rng.bool(0.5);
  const withRim = withWheel && rng.bool(0.85);
  const rule: Row = {
    PaintCarAvailable: false,
    Color1: 'FF0000',
    Color2: '00FF00',
    Color3: '0000FF',
    Sponsor1Available: false,
    Sponsor2Available: false,
    Sponsor1: '0',
    Sponsor2: '0',
  };
  if (withWheel) {
    rule.PaintWheelAvailable = rng.bool(0.5);
    rule.WheelColor = rng.pick(['EBEBEB', '000000', 'C0C0C0', 'FFFFFF']);
    if (withRim) {
      rule.RimTypeAvailable = false;
      rule.RimType = 'null';
    }
  }
  if (withNumbers) {
    rule.AllowNumberFontChanges = rng.bool(0.3);
    rule.NumberFont = '0';
    rule.AllowNumberColorChanges = rng.bool(0.6);
    rule.NumberColor1 = 'FF0000';
    rule.NumberColor2 = '00FF00';
    rule.NumberColor3 = '0000FF';
  }
  rule.RulesExplanation = rng.pick(PAINT_EXPLANATIONS);
  const out: Row = {};
  if (rng.bool(0.03)) {
    for (let i = 0; i <= 9; i++) out[String(i)] = { ...rule };
    out.RestrictCustomPaint = true;
    return out;
  }
  const patterns = rng.weighted(PAINT_PATTERN_COUNTS);
  for (let i = 1; i <= patterns; i++) out[String(i)] = { ...rule };
  return out;
}

/** Per-car setups (`car_config_defs`/`car_configs`), which a few oval-capable cars have. */
function carConfigs(k: CarKind, ovalTrackId: number | undefined): { defs: Row[]; configs: Row[] } {
  if (k.key === 'indy') {
    const defs = ['Road', 'Short Oval', 'Speedway'].map((name, carcfg) => ({
      carcfg,
      cfg_subdir: null,
      custom_paint_ext: null,
      name,
    }));
    const byType = [1, 1, 2, 2, 2, 0, 0, 1];
    const configs: Row[] = ovalTrackId === undefined ? [] : [{ carcfg: 1, track_id: ovalTrackId }];
    byType.forEach((carcfg, trackType) => configs.push({ carcfg, track_type: trackType }));
    return { defs, configs };
  }
  const defs = [
    { carcfg: 0, cfg_subdir: null, custom_paint_ext: null, name: 'Stockcar' },
    { carcfg: 1, cfg_subdir: 'ss', custom_paint_ext: 'ss', name: 'Superspeedway Stockcar' },
  ];
  const configs = [0, 1, 2, 3, 4, 5, 6, 7].map((trackType) => ({
    carcfg: trackType === 4 ? 1 : 0,
    track_type: trackType,
  }));
  return { defs, configs };
}

function abbreviation(rng: Rng, identity: Identity): string {
  const source = identity.model ?? identity.base;
  const compact = source.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  if (compact.length <= 6) return compact;
  const initials = source
    .split(/[\s-]+/)
    .map((w) => (/^\d/.test(w) ? w : w.charAt(0)))
    .join('')
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase();
  return initials.length >= 2 ? initials.slice(0, 6) : compact.slice(0, rng.int(3, 6));
}

function carRow(
  rng: Rng,
  plan: CarPlan,
  carId: number,
  packageId: number,
  sku: number,
  ovalTrackId?: number,
): Row {
  const { kind: k, identity } = plan;
  const baseSlug = slug(identity.base);
  const dirpath = plan.latest ? baseSlug : `${baseSlug}\\${plan.year}`;
  const rain = rng.bool(k.rain);
  const price = plan.retired ? 'retired' : rng.weighted(CAR_PRICES);
  const types = [...k.types];
  if (identity.make && k.category === 'oval' && types.includes('nascar')) types.push(slug(identity.make));
  const filters = [...types];
  if (rng.bool(0.3)) filters.push(abbreviation(rng, identity).toLowerCase());
  const withConfigs = (k.key === 'indy' || k.key === 'stock_cup') && rng.bool(0.1);
  const configs = withConfigs ? carConfigs(k, ovalTrackId) : { defs: [], configs: [] };
  const sponsors = rng.bool(0.96);
  const priceValue = price === 'paid' ? 11.95 : price === 'cheap' ? 2.95 : 0;
  // Keys always present, alphabetical like the API; the sometimes-absent ones are appended below (building the
  // object in one literal keeps it fast; key order carries no meaning).
  const row: Row = {
    ai_enabled: rng.bool(0.67),
    allow_number_colors: rng.bool(0.8),
    allow_number_font: rng.bool(0.72),
    allow_sponsor1: sponsors,
    allow_sponsor2: sponsors,
    allow_wheel_color: rng.bool(0.93),
    award_exempt: rng.bool(0.29),
    car_config_defs: configs.defs,
    car_configs: configs.configs,
    car_dirpath: dirpath,
    car_id: carId,
    car_name: plan.name,
    car_name_abbreviated: abbreviation(rng, identity),
    car_types: [...new Set(types)].sort().map((t) => ({ car_type: t })),
    car_weight: between(rng, k.lbs),
    categories: [k.category],
    created: iso(plan.created),
    first_sale: iso(firstSale(rng, plan.created)),
    folder: rng.bool(0.02) ? `/img/cars/carid_${carId}` : `/img/cars/${baseSlug}`,
    free_with_subscription: price === 'free',
    has_headlights: rng.bool(k.headlights),
    has_multiple_dry_tire_types: rng.bool(0.03),
    has_rain_capable_tire_types: rain || rng.bool(0.01),
    hp: between(rng, k.hp),
    is_ps_purchasable: price !== 'retired',
    logo: rng.bool(0.06)
      ? null
      : identity.make
        ? `/img/logos/partners/${slug(identity.make)}-logo.png`
        : '/img/logos/brand/iracingnotext-logo.png',
    max_power_adjust_pct: rng.bool(0.92) ? 0 : rng.pick([5, 10]),
    max_weight_penalty_kg: rng.bool(0.92) ? 250 : rng.pick([150, 200, 300]),
    min_power_adjust_pct: rng.bool(0.92) ? -5 : rng.pick([-3, -10]),
    package_id: packageId,
    patterns: rng.weighted(PATTERN_COUNTS),
    price: priceValue,
    rain_enabled: rain,
    retired: plan.retired,
    search_filters: filters.join(','),
    sku: price === 'retired' ? 0 : sku,
    small_image: `${slug(plan.latest ? identity.base : `${identity.base}${plan.year}`)}-small.jpg`,
    sponsor_logo:
      identity.series && rng.bool(0.5)
        ? `/img/logos/series/${slug(identity.series)}-logo.png`
        : rng.bool(0.01)
          ? '/img/logos/partners/series-logo.png'
          : null,
  };
  if (identity.make !== undefined && !rng.bool(0.01)) row.car_make = identity.make;
  if (identity.model !== undefined && !rng.bool(0.01)) row.car_model = identity.model;
  if (rng.bool(0.97)) row.forum_url = `https://forums.iracing.com/categories/${kebab(identity.base)}`;
  if (rng.bool(0.41)) row.paint_rules = paintRules(rng);
  if (price !== 'retired') row.price_display = money(priceValue);
  if (rng.bool(0.61)) {
    row.site_url = rng.bool(0.02)
      ? ' '
      : identity.make && rng.bool(0.5)
        ? `https://www.${slug(identity.make)}.com/`
        : rng.pick(['http://www.iracing.com', 'http://www.iracing.com/']);
  }
  return row;
}

// ---------------------------------------------------------------------------------------------------------------
// Car classes

const CLASS_SIZES: Weighted<number> = [
  [2, 22],
  [3, 18],
  [4, 9],
  [5, 5],
  [6, 2],
  [7, 3],
  [8, 2],
];
const EVENT_PREFIXES = [
  'IMSA',
  'Nurburgring',
  'Endurance',
  'Sprint',
  'Daytona',
  'Bathurst',
  'Spa',
  'Roar',
  'NEC',
];

interface ClassPlan {
  name: string;
  shortName: string;
  members: number[];
  anchor: number;
  seq: number;
  speed: number;
}

function uniqueName(name: string, used: Set<string>): string {
  let candidate = name;
  for (let n = 2; used.has(candidate); n++) candidate = `${name} ${n}`;
  used.add(candidate);
  return candidate;
}

function shortNameOf(name: string, identity?: Identity): string {
  if (name.length <= 16) return name;
  const prefix = name.startsWith('[Retired]') ? '[R] ' : name.startsWith('[Legacy]') ? '[L] ' : '';
  const core = identity?.model ?? name.replace(/^\[(Retired|Legacy)\]\s*/, '').replace(/ Class\b/, '');
  return `${prefix}${core}`.slice(0, 16).trim();
}

function buildClasses(rng: Rng, plans: CarPlan[], cars: Row[], count: number): Row[] {
  if (cars.length === 0) return [];
  const used = new Set<string>();
  const classes: ClassPlan[] = [];
  // Every car races in a class of its own (the caller asks for at least as many classes as cars)...
  const singles = Math.min(cars.length, count);
  for (let i = 0; i < singles; i++) {
    const name = uniqueName(plans[i].name, used);
    classes.push({
      name,
      shortName: shortNameOf(name, plans[i].identity),
      members: [i],
      anchor: i,
      seq: 0,
      speed: plans[i].speed,
    });
  }
  // ... and the rest of the classes group cars of one kind (GT3, Cup Series, Dirt Sprint Car, ...).
  const byKind = new Map<string, number[]>();
  plans.forEach((p, i) => {
    const list = byKind.get(p.kind.key) ?? [];
    list.push(i);
    byKind.set(p.kind.key, list);
  });
  let groups = [...byKind.values()].filter((g) => g.length >= 2);
  if (groups.length === 0) groups = [plans.map((_, i) => i)];
  const weightedGroups: Weighted<number[]> = groups.map((g) => [g, g.length] as const);
  for (let c = singles; c < count; c++) {
    const group = rng.weighted(weightedGroups);
    const uniqueMembers = rng.sample(group, rng.weighted(CLASS_SIZES)).sort((a, b) => a - b);
    const label = plans[uniqueMembers[0]].kind.label;
    const raw = rng.bool(0.55)
      ? /Series|Car|Trucks|Legends|Modified|Model|Stock|Roadster|Rallycross|Formula|IndyCar|ARCA/.test(label)
        ? label
        : `${label} Class`
      : `${rng.pick(EVENT_PREFIXES)} ${label}`;
    const name = uniqueName(raw, used);
    const speeds = uniqueMembers.map((i) => plans[i].speed);
    const mean = speeds.reduce((a, b) => a + b, 0) / speeds.length;
    classes.push({
      name,
      shortName: shortNameOf(name),
      members: uniqueMembers,
      anchor: uniqueMembers[uniqueMembers.length - 1],
      seq: c,
      speed: Math.max(1, Math.round(mean) + rng.int(-2, 2)),
    });
  }
  classes.sort((a, b) => a.anchor - b.anchor || a.seq - b.seq);
  const ids = idSequence(rng, 2, classes.length, [
    [[1, 1], 75],
    [[2, 20], 17],
    [[21, 150], 8],
  ]);
  return classes.map((c, i) => {
    const members = c.members.map((m) => cars[m]);
    return {
      car_class_id: ids[i],
      cars_in_class: members.map((car) => ({
        car_dirpath: car.car_dirpath,
        car_id: car.car_id,
        rain_enabled: car.rain_enabled,
        retired: car.retired,
      })),
      cust_id: 0,
      name: c.name,
      rain_enabled: members.every((car) => car.rain_enabled === true),
      relative_speed: c.speed,
      short_name: c.shortName,
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Tracks

type TrackCategory = 'oval' | 'road' | 'dirt_oval' | 'dirt_road';

interface Region {
  country: string;
  region: string;
  tz: string;
  lat: Range;
  lon: Range;
  style: 'en' | 'eu' | 'jp';
}

const r = (
  country: string,
  region: string,
  tz: string,
  lat: Range,
  lon: Range,
  style: Region['style'] = 'en',
): Region => ({ country, region, tz, lat, lon, style });

const REGIONS: Weighted<Region> = [
  [r('USA', 'Connecticut', 'America/New_York', [41, 42], [-73.7, -72]), 3],
  [r('USA', 'Virginia', 'America/New_York', [36.6, 39], [-83, -76]), 4],
  [r('USA', 'Florida', 'America/New_York', [25.5, 30.5], [-87, -80.2]), 5],
  [r('USA', 'North Carolina', 'America/New_York', [34, 36.5], [-84, -76]), 6],
  [r('USA', 'Ohio', 'America/New_York', [38.5, 41.9], [-84.8, -80.6]), 4],
  [r('USA', 'Pennsylvania', 'America/New_York', [39.8, 42], [-80.5, -75]), 4],
  [r('USA', 'New York', 'America/New_York', [40.6, 45], [-79.7, -73.5]), 4],
  [r('USA', 'Georgia', 'America/New_York', [30.5, 35], [-85.5, -81]), 2],
  [r('USA', 'Texas', 'America/Chicago', [26, 36], [-104, -94]), 4],
  [r('USA', 'Illinois', 'America/Chicago', [37, 42.5], [-91, -87.6]), 3],
  [r('USA', 'Iowa', 'America/Chicago', [40.4, 43.5], [-96.6, -90.2]), 2],
  [r('USA', 'Tennessee', 'America/Chicago', [35, 36.6], [-90, -85.6]), 2],
  [r('USA', 'Wisconsin', 'America/Chicago', [42.5, 46], [-92, -87.6]), 2],
  [r('USA', 'California', 'America/Los_Angeles', [32.6, 41], [-122.5, -115]), 5],
  [r('USA', 'Nevada', 'America/Los_Angeles', [35.2, 41.5], [-119.9, -114.1]), 1],
  [r('USA', 'Arizona', 'America/Phoenix', [31.4, 36.9], [-114.6, -109.1]), 2],
  [r('USA', 'Indiana', 'America/Indiana/Indianapolis', [37.9, 41.7], [-87.9, -84.9]), 2],
  [r('USA', 'Michigan', 'America/Detroit', [41.8, 45.8], [-86.4, -82.5]), 1],
  [r('USA', 'Colorado', 'America/Denver', [37.1, 40.9], [-108.9, -102.1]), 1],
  [r('Canada', 'Ontario', 'America/Toronto', [42.1, 45.9], [-82.9, -75.1]), 2],
  [r('Canada', 'Quebec', 'America/Toronto', [45.1, 46.9], [-74.9, -71.1]), 1],
  [r('UK', 'England', 'Europe/London', [50.6, 54.4], [-2.9, 1.4]), 7],
  [r('UK', 'Wales', 'Europe/London', [51.6, 52.9], [-4.4, -3.1]), 1],
  [r('UK', 'Scotland', 'Europe/London', [55.1, 57.4], [-4.9, -2.1]), 1],
  [r('Germany', 'Bavaria', 'Europe/Berlin', [47.6, 50.4], [9.1, 13.4], 'eu'), 2],
  [r('Germany', 'Rhineland-Palatinate', 'Europe/Berlin', [49.1, 50.8], [6.2, 8.4], 'eu'), 2],
  [r('Germany', 'Baden-Württemberg', 'Europe/Berlin', [47.7, 49.7], [7.6, 10.4], 'eu'), 2],
  [r('Germany', 'Saxony', 'Europe/Berlin', [50.3, 51.6], [12.2, 14.9], 'eu'), 1],
  [r('Italy', 'Lombardy', 'Europe/Rome', [45.1, 46.4], [8.6, 11.1], 'eu'), 2],
  [r('Italy', 'Emilia-Romagna', 'Europe/Rome', [44.1, 44.9], [9.3, 12.6], 'eu'), 2],
  [r('Italy', 'Tuscany', 'Europe/Rome', [42.4, 44.3], [9.8, 12.2], 'eu'), 1],
  [r('Spain', 'Catalonia', 'Europe/Madrid', [40.6, 42.7], [0.3, 3.2], 'eu'), 2],
  [r('Spain', 'Andalusia', 'Europe/Madrid', [36.1, 38.6], [-7.4, -1.7], 'eu'), 1],
  [r('Spain', 'Aragon', 'Europe/Madrid', [40.1, 42.8], [-2.1, 0.7], 'eu'), 1],
  [r('France', 'Bourgogne-Franche-Comté', 'Europe/Paris', [46.3, 48.3], [2.9, 7.1], 'eu'), 1],
  [r('France', 'Occitanie', 'Europe/Paris', [42.4, 44.9], [-0.2, 4.7], 'eu'), 1],
  [r('Netherlands', 'North Holland', 'Europe/Amsterdam', [52.2, 52.9], [4.5, 5.2], 'eu'), 1],
  [r('Belgium', 'Liège', 'Europe/Brussels', [50.2, 50.7], [5.4, 6.2], 'eu'), 1],
  [r('Belgium', 'Limburg', 'Europe/Brussels', [50.7, 51.2], [5.1, 5.8], 'eu'), 1],
  [r('Austria', 'Styria', 'Europe/Vienna', [46.7, 47.7], [13.7, 16.1], 'eu'), 1],
  [r('Portugal', 'Faro', 'Europe/Lisbon', [37.01, 37.45], [-8.9, -7.4], 'eu'), 1],
  [r('Norway', 'Viken', 'Europe/Oslo', [59.1, 60.4], [9.1, 11.4], 'eu'), 1],
  [r('Japan', 'Mie Prefecture', 'Asia/Tokyo', [33.8, 35.1], [135.9, 136.8], 'jp'), 2],
  [r('Japan', 'Shizuoka Prefecture', 'Asia/Tokyo', [34.7, 35.5], [137.6, 139.1], 'jp'), 1],
  [r('Japan', 'Tochigi Prefecture', 'Asia/Tokyo', [36.3, 37.0], [139.4, 140.2], 'jp'), 1],
  [r('Japan', 'Okayama Prefecture', 'Asia/Tokyo', [34.5, 35.2], [133.4, 134.3], 'jp'), 1],
  [r('Australia', 'New South Wales', 'Australia/Sydney', [-36.9, -29.1], [141.1, 152.9]), 2],
  [r('Australia', 'South Australia', 'Australia/Adelaide', [-37.9, -26.1], [129.1, 140.9]), 1],
  [r('Australia', 'Victoria', 'Australia/Melbourne', [-38.9, -34.1], [141.1, 149.9]), 1],
  [r('Brazil', 'São Paulo', 'America/Sao_Paulo', [-24.9, -20.1], [-52.9, -44.1], 'eu'), 1],
  [r('Mexico', 'Mexico City', 'America/Mexico_City', [19.21, 19.59], [-99.29, -98.91], 'eu'), 0.5],
];

const EN_FIRST = [
  'Lake',
  'Pine',
  'Oak',
  'Red',
  'Stone',
  'Cedar',
  'Elm',
  'Ash',
  'Fair',
  'Green',
  'Ridge',
  'River',
  'Spring',
  'Wolf',
  'Bear',
  'Eagle',
  'Hawk',
  'Silver',
  'Gold',
  'Iron',
  'Mill',
  'Maple',
  'Willow',
  'Clear',
  'Rock',
  'Sand',
  'High',
  'Brook',
  'Fox',
  'Glen',
];
const EN_LAST = [
  'ville',
  'field',
  'ton',
  'wood',
  'dale',
  'brook',
  'ford',
  'burg',
  'port',
  'view',
  'haven',
  'mont',
  'crest',
  'ridge',
  'creek',
  'land',
  'bury',
  'stead',
  'wick',
  'hurst',
];
const EU_SYLLABLES = [
  'ra',
  'lo',
  'ven',
  'mar',
  'to',
  'si',
  'ber',
  'gen',
  'na',
  'ri',
  'mon',
  'za',
  'ca',
  'del',
  'ho',
  'lin',
];
const JP_SYLLABLES = [
  'ka',
  'mi',
  'to',
  'su',
  'ra',
  'shi',
  'no',
  'ya',
  'ma',
  'ta',
  'ki',
  'ha',
  'fu',
  'ji',
  'sa',
  'wa',
];

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function cityName(rng: Rng, style: Region['style']): string {
  if (style === 'en') return `${rng.pick(EN_FIRST)}${rng.pick(EN_LAST)}`;
  const syllables = style === 'jp' ? JP_SYLLABLES : EU_SYLLABLES;
  let name = '';
  for (let i = rng.int(2, 3); i > 0; i--) name += rng.pick(syllables);
  return capitalize(name);
}

function trackNameFor(rng: Rng, category: TrackCategory, city: string, region: Region): string {
  switch (category) {
    case 'oval':
      return `${city} ${rng.pick(['Speedway', 'Motor Speedway', 'International Speedway', 'Raceway', 'Raceway Park', 'Superspeedway'])}`;
    case 'dirt_oval':
      return `${city} ${rng.pick(['Speedway', 'Dirt Track', 'County Fairgrounds', 'Raceway', 'Motor Speedway'])}`;
    case 'dirt_road':
      return `${city} ${rng.pick(['Rallycross', 'Off-Road Park', 'Rallycross and Dirt Road'])}`;
    default: {
      if (region.style === 'eu' && rng.bool(0.5)) {
        if (region.country === 'Germany' || region.country === 'Austria') return `${city}ring`;
        if (region.country === 'Italy' || region.country === 'Brazil') return `Autodromo di ${city}`;
        return `Circuit de ${city}`;
      }
      return `${city} ${rng.pick(['Raceway', 'International Raceway', 'Motorsport Park', 'Circuit', 'Grand Prix Circuit', 'Racing Course', 'Park Circuit', 'Street Circuit'])}`;
    }
  }
}

const CONFIG_COUNTS: Weighted<number> = [
  [1, 61],
  [2, 29],
  [3, 12],
  [4, 14],
  [5, 10],
  [6, 9],
  [7, 5],
  [8, 2],
  [9, 4],
  [10, 1],
  [12, 1],
];
const MAX_CONFIGS = 12;

const SINGLE_KINDS: Weighted<TrackCategory> = [
  ['oval', 0.45],
  ['dirt_oval', 0.25],
  ['road', 0.25],
  ['dirt_road', 0.05],
];
const MULTI_KINDS: Weighted<TrackCategory> = [
  ['road', 0.65],
  ['oval', 0.3],
  ['dirt_oval', 0.03],
  ['dirt_road', 0.02],
];

/** Config name → its category (`main` = the package's oval type). */
type ConfigSpec = readonly [string, TrackCategory | 'main_oval' | 'short_oval'];
const ROAD_CONFIGS: readonly ConfigSpec[] = [
  ['Grand Prix', 'road'],
  ['National', 'road'],
  ['International', 'road'],
  ['Club', 'road'],
  ['Full Course', 'road'],
  ['Short', 'road'],
  ['East', 'road'],
  ['West', 'road'],
  ['North', 'road'],
  ['South', 'road'],
  ['School', 'road'],
  ['Historic', 'road'],
  ['Moto', 'road'],
  ['Endurance', 'road'],
  ['Sprint', 'road'],
  ['Long', 'road'],
  ['Reverse', 'road'],
  ['Classic', 'road'],
  ['Alternate', 'road'],
  ['No Chicane', 'road'],
  ['Infield', 'road'],
  ['Outer', 'road'],
  ['Inner', 'road'],
  ['Junior', 'road'],
  ['Rallycross', 'dirt_road'],
  ['Oval', 'short_oval'],
];
const OVAL_EXTRAS: readonly ConfigSpec[] = [
  ['Road Course', 'road'],
  ['Infield Road Course', 'road'],
  ['Legends Oval', 'short_oval'],
  ['Rallycross Long', 'dirt_road'],
  ['Road Course Long', 'road'],
  ['Road Course Short', 'road'],
  ['Moto', 'road'],
  ['Dirt', 'dirt_oval'],
  ['Open Wheel Oval', 'main_oval'],
  ['Outer', 'main_oval'],
  ['Figure Eight', 'short_oval'],
  ['Combined', 'road'],
  ['Short A', 'short_oval'],
  ['Short B', 'short_oval'],
  ['National', 'road'],
  ['Classic', 'main_oval'],
];
const DIRT_OVAL_EXTRAS: readonly ConfigSpec[] = [
  ['Asphalt', 'short_oval'],
  ['Rallycross', 'dirt_road'],
  ['Short Track', 'dirt_oval'],
  ['Big Track', 'dirt_oval'],
  ['Figure Eight', 'short_oval'],
  ['Dirt Road', 'dirt_road'],
  ['Infield', 'dirt_oval'],
];
const DIRT_ROAD_CONFIGS: readonly ConfigSpec[] = [
  ['Rallycross', 'dirt_road'],
  ['Rallycross Long', 'dirt_road'],
  ['Rallycross Short', 'dirt_road'],
  ['Short Course', 'dirt_road'],
  ['Long Course', 'dirt_road'],
  ['Full', 'dirt_road'],
  ['Stadium', 'dirt_road'],
  ['Pro Course', 'dirt_road'],
  ['Sprint', 'dirt_road'],
];
const FULL_LAYOUTS = new Set(['Full Course', 'Endurance', 'International', 'Long']);
const SINGLE_NAMES: Record<TrackCategory, string> = {
  road: 'Full Course',
  oval: 'Oval',
  dirt_oval: 'Dirt',
  dirt_road: 'Rallycross',
};

const OVAL_TYPES: Weighted<number> = [
  [0, 0.5],
  [1, 0.12],
  [2, 0.17],
  [3, 0.13],
  [4, 0.08],
];
const OVAL_TYPE_TEXT = ['Short Oval', 'Mile Oval', 'Intermediate Oval', 'Long Oval', 'Superspeedway'];
const OVAL_LENGTHS: readonly Range[] = [
  [0.25, 0.95],
  [0.95, 1.1],
  [1.3, 2.0],
  [2.0, 2.5],
  [2.5, 2.66],
];
const OVAL_SPEEDS: readonly Range[] = [
  [75, 100],
  [115, 135],
  [150, 180],
  [165, 190],
  [180, 195],
];
const CATEGORY_IDS: Record<TrackCategory, number> = { oval: 1, road: 2, dirt_oval: 3, dirt_road: 4 };
const TRACK_PRICES: Weighted<'paid' | 'mid' | 'cheap' | 'free'> = [
  ['paid', 0.61],
  ['free', 0.23],
  ['mid', 0.11],
  ['cheap', 0.05],
];
const SEASONS: readonly (readonly [string, string])[] = [
  ['01-01', '12-31'],
  ['04-01', '10-31'],
  ['03-01', '11-30'],
  ['04-01', '11-30'],
];

interface PackagePlan {
  count: number;
  category: TrackCategory;
  name: string;
  city: string;
  region: Region;
  latitude: number;
  longitude: number;
  location: string;
  /** Slugs for image paths: the folder drops a `[Legacy]`/`[Retired]` prefix, the logo keeps it. */
  nameSlug: string;
  folderSlug: string;
  dir: string;
  created: number;
  twin?: 'legacy' | 'retired';
  twinYear?: number;
  packageId: number;
  sku: number;
}

interface ConfigPlan {
  pkg: PackagePlan;
  traits: PackageTraits;
  index: number;
  name?: string;
  category: TrackCategory;
  ovalType: number;
  created: number;
}

/** Configurations per package: drawn like the recorded catalog's, then nudged to add up to `total`. */
function configCounts(rng: Rng, packages: number, total: number): number[] {
  const counts = Array.from({ length: packages }, () => rng.weighted(CONFIG_COUNTS));
  let diff = total - counts.reduce((a, b) => a + b, 0);
  while (diff !== 0) {
    const start = rng.int(0, packages - 1);
    for (let k = 0; k < packages; k++) {
      const i = (start + k) % packages;
      if (diff > 0 && counts[i] < MAX_CONFIGS) {
        counts[i]++;
        diff--;
        break;
      }
      if (diff < 0 && counts[i] > 1) {
        counts[i]--;
        diff++;
        break;
      }
    }
  }
  return counts;
}

function planPackages(rng: Rng, packages: number, total: number): PackagePlan[] {
  const counts = configCounts(rng, packages, total);
  const names = new Set<string>();
  const plans: PackagePlan[] = [];
  const originals: PackagePlan[] = [];
  for (let i = 0; i < packages; i++) {
    const count = counts[i];
    const created = timeBetween(rng, START, END);
    if (originals.length > 0 && rng.bool(0.1)) {
      // An older edition of a track that was rescanned: same place, its own package.
      const base = rng.pick(originals);
      const twinCreated = timeBetween(rng, START, Math.max(START + DAY, base.created));
      const twin = rng.bool(0.7) ? 'legacy' : 'retired';
      let year = yearOf(twinCreated);
      const label = (y: number): string =>
        twin === 'legacy' ? `[Legacy] ${base.name} - ${y}` : `[Retired] ${base.name} - ${y}`;
      while (names.has(label(year))) year++;
      names.add(label(year));
      plans.push({
        ...base,
        count,
        name: label(year),
        nameSlug: slug(label(year)),
        folderSlug: slug(label(year).replace(/^\[\w+\]\s*/, '')),
        created: twinCreated,
        twin,
        twinYear: year,
        packageId: 0,
        sku: 0,
      });
      continue;
    }
    const category = rng.weighted(count === 1 ? SINGLE_KINDS : MULTI_KINDS);
    const region = rng.weighted(REGIONS);
    let city = cityName(rng, region.style);
    let name = trackNameFor(rng, category, city, region);
    for (let attempt = 0; names.has(name) && attempt < 10; attempt++) {
      city = cityName(rng, region.style);
      name = trackNameFor(rng, category, city, region);
    }
    name = uniqueName(name, names);
    const plan: PackagePlan = {
      count,
      category,
      name,
      city,
      region,
      latitude: fraction(rng, region.lat[0], region.lat[1], 7),
      longitude: fraction(rng, region.lon[0], region.lon[1], 7),
      location: `${city}, ${region.region}, ${region.country}`,
      nameSlug: slug(name),
      folderSlug: slug(name),
      dir: slug(name).slice(0, rng.int(6, 14)),
      created,
      packageId: 0,
      sku: 0,
    };
    plans.push(plan);
    originals.push(plan);
  }
  return plans;
}

function configsOf(rng: Rng, pkg: PackagePlan, traits: PackageTraits): ConfigPlan[] {
  const mainOval = rng.weighted(pkg.count === 1 ? OVAL_TYPES.slice(0, 2) : OVAL_TYPES);
  const specs: { name?: string; category: TrackCategory; ovalType: number }[] = [];
  const resolve = (name: string | undefined, kind: ConfigSpec[1]): void => {
    if (kind === 'main_oval') specs.push({ name, category: 'oval', ovalType: mainOval });
    else if (kind === 'short_oval') specs.push({ name, category: 'oval', ovalType: 0 });
    else specs.push({ name, category: kind, ovalType: kind === 'oval' ? mainOval : -1 });
  };
  if (pkg.count === 1) {
    resolve(
      rng.bool(0.88) ? undefined : SINGLE_NAMES[pkg.category],
      pkg.category === 'oval' ? 'main_oval' : pkg.category,
    );
  } else {
    let pool: readonly ConfigSpec[];
    let first: ConfigSpec | undefined;
    switch (pkg.category) {
      case 'oval':
        first = ['Oval', 'main_oval'];
        pool = OVAL_EXTRAS;
        break;
      case 'dirt_oval':
        first = ['Dirt', 'dirt_oval'];
        pool = DIRT_OVAL_EXTRAS;
        break;
      case 'dirt_road':
        pool = DIRT_ROAD_CONFIGS;
        break;
      default:
        first = rng.bool(0.6) ? ROAD_CONFIGS[0] : undefined;
        pool = first ? ROAD_CONFIGS.slice(1) : ROAD_CONFIGS;
    }
    const wanted = pkg.count - (first ? 1 : 0);
    const chosen: ConfigSpec[] = first ? [first] : [];
    // The full-length layout, if picked, comes first: the first configuration gets the package's full length.
    const picked = rng
      .sample(pool, wanted)
      .sort((a, b) => Number(FULL_LAYOUTS.has(b[0])) - Number(FULL_LAYOUTS.has(a[0])));
    chosen.push(...picked);
    for (let extra = 0; chosen.length < pkg.count; extra++) {
      const [name, kind] = pool[extra % pool.length];
      chosen.push([`${name} ${Math.floor(extra / pool.length) + 2}`, kind]);
    }
    for (const [name, kind] of chosen) resolve(name, kind);
  }
  return specs.map((s, index) => ({
    pkg,
    traits,
    index,
    name: s.name,
    category: s.category,
    ovalType: s.ovalType,
    created:
      index === 0 || rng.bool(0.65) ? pkg.created : Math.min(END, pkg.created + rng.int(30, 3000) * DAY),
  }));
}

interface PackageTraits {
  price: 'paid' | 'mid' | 'cheap' | 'free' | 'retired';
  purchasable: boolean;
  siteUrl?: string;
  opens: string;
  closes: string;
  flags: Record<string, boolean>;
  roadLength: number;
}

function packageTraits(rng: Rng, pkg: PackagePlan): PackageTraits {
  const retired = pkg.twin === 'retired';
  const price = retired
    ? 'retired'
    : pkg.twin === 'legacy' && rng.bool(0.8)
      ? 'free'
      : rng.weighted(TRACK_PRICES);
  const seasonYear = Math.min(2025, Math.max(2018, yearOf(pkg.created)));
  const [opens, closes] = rng.pick(SEASONS);
  const siteSlug = slug(pkg.name.replace(/^\[(Legacy|Retired)\]\s*|\s+-\s+\d{4}$/g, ''));
  return {
    price,
    purchasable: retired ? rng.bool(0.5) : true,
    siteUrl: rng.bool(0.99) ? `${rng.pick(['http', 'https'])}://www.${siteSlug}.com/` : undefined,
    opens: `${seasonYear}-${opens}`,
    closes: `${seasonYear}-${closes}`,
    flags: {
      ai_enabled: rng.bool(0.71),
      allow_rolling_start: rng.bool(0.93),
      award_exempt: rng.bool(0.14),
      has_opt_path: rng.bool(0.035),
      has_short_parade_lap: rng.bool(0.29),
      has_start_zone: rng.bool(0.14),
      restart_on_left: rng.bool(0.55),
      start_on_left: rng.bool(0.58),
      supports_grip_compound: rng.bool(0.003),
      tech_track: rng.bool(0.01),
    },
    roadLength: rng.bool(0.01) ? rng.float(10, 16) : rng.bool(0.05) ? rng.float(5, 8.5) : rng.float(2.0, 4.6),
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function lengthOf(rng: Rng, config: ConfigPlan): number {
  switch (config.category) {
    case 'oval':
      return round3(rng.float(...OVAL_LENGTHS[config.ovalType]));
    case 'dirt_oval':
      return round3(rng.float(0.2, 0.6));
    case 'dirt_road':
      return round3(rng.float(0.4, 1.3));
    default:
      if (config.pkg.count === 1) return round3(rng.float(1.2, 4.5));
      if (config.pkg.category !== 'road') return round3(rng.float(1.0, 3.6));
      return round3(
        config.index === 0 ? config.traits.roadLength : config.traits.roadLength * rng.float(0.3, 0.95),
      );
  }
}

function bankingOf(rng: Rng, config: ConfigPlan): string | undefined {
  const p = config.category === 'oval' ? 0.42 : config.category === 'dirt_oval' ? 0.04 : 0;
  if (!rng.bool(p)) return undefined;
  const low = config.ovalType <= 1 ? rng.int(2, 26) : rng.int(14, 33);
  const deg = (d: number): string => `${d}&#176;`;
  if (rng.bool(0.3)) return `${deg(low)} - ${deg(low + rng.int(1, 6))}`;
  return rng.bool(0.1) ? deg(low + 0.5) : deg(low);
}

const MAX_CARS: Record<TrackCategory, Weighted<number>> = {
  road: [
    [60, 40],
    [64, 15],
    [63, 8],
    [66, 6],
    [69, 5],
    [40, 6],
    [43, 4],
    [90, 3],
    [62, 3],
  ],
  oval: [
    [64, 26],
    [60, 22],
    [66, 7],
    [63, 5],
    [43, 6],
    [40, 4],
    [82, 3],
  ],
  dirt_oval: [
    [60, 16],
    [63, 6],
    [40, 3],
    [43, 2],
  ],
  dirt_road: [
    [16, 15],
    [15, 3],
    [12, 2],
  ],
};
const GRID_STALLS: Weighted<number> = [
  [60, 55],
  [62, 20],
  [43, 5],
  [45, 4],
  [44, 3],
  [51, 2],
];
const PRIORITIES: Weighted<number> = [
  [0, 150],
  [1, 73],
  [2, 60],
  [3, 45],
  [4, 36],
  [5, 22],
  [6, 14],
  [7, 11],
  [8, 5],
  [9, 4],
  [10, 1],
  [11, 2],
];
const QUALIFY_LAPS: Weighted<number> = [
  [2, 97],
  [1, 2],
  [5, 1],
];
const SOLO_LAPS: Weighted<number> = [
  [10, 40],
  [5, 36],
  [6, 8],
  [4, 6],
  [8, 5],
  [1, 2],
  [7, 1],
  [3, 1],
  [2, 0.5],
  [9, 0.5],
];
const PIT_LIMITS_ROAD: Weighted<number> = [
  [45, 25],
  [37, 20],
  [30, 15],
  [35, 12],
  [50, 10],
  [40, 6],
  [55, 6],
  [60, 3],
  [31, 3],
];
const PIT_LIMITS_SHORT: Weighted<number> = [
  [25, 30],
  [30, 30],
  [35, 20],
  [20, 10],
  [15, 5],
  [45, 5],
];
const PIT_LIMITS_BIG: Weighted<number> = [
  [45, 30],
  [55, 30],
  [50, 20],
  [40, 10],
  [30, 10],
];

function trackRow(rng: Rng, config: ConfigPlan, trackId: number): Row {
  const { pkg, category, traits } = config;
  const retired = pkg.twin === 'retired' || (config.name !== undefined && rng.bool(0.01));
  const isOval = category === 'oval' || category === 'dirt_oval';
  const isDirt = category === 'dirt_oval' || category === 'dirt_road';
  const trackType =
    category === 'oval' ? config.ovalType : category === 'road' ? 5 : category === 'dirt_road' ? 6 : 7;
  const typeText =
    category === 'oval'
      ? OVAL_TYPE_TEXT[config.ovalType]
      : category === 'road'
        ? 'Road Course'
        : category === 'dirt_road'
          ? 'Dirt Road Course'
          : 'Dirt Oval Course';
  const length = lengthOf(rng, config);
  const speed =
    category === 'oval'
      ? rng.float(...OVAL_SPEEDS[config.ovalType])
      : category === 'road'
        ? rng.float(75, 110)
        : category === 'dirt_oval'
          ? rng.float(55, 85)
          : rng.float(35, 55);
  const maxCars = rng.weighted(MAX_CARS[category]);
  const corners =
    category === 'road'
      ? Math.max(3, Math.min(40, Math.round(length * 4.5) + rng.int(-3, 3)))
      : category === 'dirt_road'
        ? rng.int(4, 9)
        : rng.bool(0.9)
          ? 4
          : rng.pick([2, 3, 5]);
  const priceValue =
    traits.price === 'paid' ? 14.95 : traits.price === 'mid' ? 11.95 : traits.price === 'cheap' ? 4.95 : 0;
  const flip = (value: boolean): boolean => (rng.bool(0.06) ? !value : value);
  const fullyLit = rng.bool(category === 'dirt_oval' ? 0.95 : category === 'oval' ? 0.6 : 0.08);
  const dirpath = [pkg.dir];
  if (pkg.twinYear !== undefined) dirpath.push(String(pkg.twinYear));
  if (config.name !== undefined) dirpath.push(slug(config.name));
  // Keys always present, alphabetical like the API; the sometimes-absent ones are appended below (building the
  // object in one literal keeps it fast; key order carries no meaning).
  const row: Row = {
    ai_enabled: flip(traits.flags.ai_enabled),
    allow_pitlane_collisions: true,
    allow_rolling_start: flip(traits.flags.allow_rolling_start),
    allow_standing_start: rng.bool(category === 'road' ? 0.9 : 0.45),
    award_exempt: flip(traits.flags.award_exempt),
    category,
    category_id: CATEGORY_IDS[category],
    closes: traits.closes,
    corners_per_lap: corners,
    created: iso(config.created),
    first_sale: iso(firstSale(rng, config.created)),
    folder: `/img/tracks/${pkg.folderSlug}`,
    free_with_subscription: traits.price === 'free',
    fully_lit: fullyLit,
    grid_stalls: category === 'dirt_road' ? rng.pick([15, 16]) : rng.weighted(GRID_STALLS),
    has_opt_path: traits.flags.has_opt_path,
    has_short_parade_lap: flip(traits.flags.has_short_parade_lap),
    has_start_zone: flip(traits.flags.has_start_zone),
    has_svg_map: true,
    is_dirt: isDirt,
    is_oval: isOval,
    is_ps_purchasable: traits.price !== 'retired',
    lap_scoring: rng.bool(0.99) ? 0 : 1,
    latitude: pkg.latitude,
    location: pkg.location,
    logo: `/img/logos/tracks/${pkg.nameSlug}-logo.png`,
    longitude: pkg.longitude,
    max_cars: maxCars,
    night_lighting: fullyLit || rng.bool(0.12),
    number_pitstalls: rng.int(Math.max(1, Math.round(maxCars * 0.25)), maxCars),
    opens: traits.opens,
    package_id: pkg.packageId,
    price: priceValue,
    priority: rng.weighted(PRIORITIES),
    purchasable: traits.purchasable,
    qualify_laps: rng.weighted(QUALIFY_LAPS),
    rain_enabled: category === 'road' ? rng.bool(0.99) : false,
    restart_on_left: flip(traits.flags.restart_on_left),
    retired,
    search_filters:
      category === 'dirt_oval'
        ? 'dirt,dirtoval'
        : category === 'dirt_road'
          ? 'dirt,dirtroad'
          : rng.bool(0.25)
            ? `${category},${pkg.dir.slice(0, 3)}`
            : category,
    sku: traits.price === 'retired' ? 0 : pkg.sku,
    small_image: `${pkg.nameSlug}-small.jpg`,
    solo_laps: rng.weighted(SOLO_LAPS),
    start_on_left: flip(traits.flags.start_on_left),
    supports_grip_compound: traits.flags.supports_grip_compound,
    tech_track: traits.flags.tech_track,
    time_zone: pkg.region.tz,
    track_config_length: length,
    track_dirpath: dirpath.join('\\'),
    track_id: trackId,
    track_name: pkg.name,
    track_type: trackType,
    track_type_text: typeText,
    track_types: [{ track_type: category }],
  };
  const banking = bankingOf(rng, config);
  if (banking !== undefined) row.banking = banking;
  if (config.name !== undefined) {
    row.config_name = retired && !config.name.startsWith('[') ? `[Retired] ${config.name}` : config.name;
  }
  if (!(retired && rng.bool(0.7)) && rng.bool(0.99)) {
    const seconds = (length * 3600) / speed;
    row.nominal_lap_time = fraction(rng, seconds, seconds + 0.001, 6);
  }
  if (category !== 'dirt_road' && !(retired && rng.bool(0.4)) && rng.bool(0.98)) {
    row.pit_road_speed_limit = rng.weighted(
      category === 'road'
        ? PIT_LIMITS_ROAD
        : config.ovalType <= 0 || category === 'dirt_oval'
          ? PIT_LIMITS_SHORT
          : PIT_LIMITS_BIG,
    );
  }
  if (traits.price !== 'retired') row.price_display = money(priceValue);
  if (traits.siteUrl !== undefined) row.site_url = traits.siteUrl;
  return row;
}

// ---------------------------------------------------------------------------------------------------------------
// The catalog

/** Package ids and SKUs follow one release timeline for cars and tracks, as in the real catalog. */
function assignPackages(
  rng: Rng,
  cars: CarPlan[],
  packages: PackagePlan[],
): { carPackage: number[]; carSku: number[] } {
  const releases = [
    ...cars.map((c, i) => ({ created: c.created, car: i, pkg: -1 })),
    ...packages.map((p, i) => ({ created: p.created, car: -1, pkg: i })),
  ].sort((a, b) => a.created - b.created || a.car - b.car || a.pkg - b.pkg);
  const ids = idSequence(rng, 3, releases.length, [
    [[1, 1], 80],
    [[2, 4], 20],
  ]);
  const carPackage: number[] = new Array<number>(cars.length).fill(0);
  const carSku: number[] = new Array<number>(cars.length).fill(0);
  releases.forEach((release, i) => {
    const sku = 10_000 + i;
    if (release.car >= 0) {
      carPackage[release.car] = ids[i];
      carSku[release.car] = sku;
    } else {
      packages[release.pkg].packageId = ids[i];
      packages[release.pkg].sku = sku;
    }
  });
  return { carPackage, carSku };
}

export function generateCatalog(options: CatalogOptions = {}): SyntheticCatalog {
  const seed = options.seed ?? 1;
  const scale = options.scale ?? 1;
  if (!Number.isFinite(scale) || scale < 0)
    throw new RangeError(`scale must be a finite number >= 0, got ${scale}`);
  const carCount = scaled(CATALOG_BASE_SIZES.cars, scale);
  // 251 classes for 181 cars: always at least one class per car, so every car can be in a class.
  const classCount = carCount === 0 ? 0 : Math.max(carCount, scaled(CATALOG_BASE_SIZES.carClasses, scale));
  const trackCount = scaled(CATALOG_BASE_SIZES.tracks, scale);
  const packageCount = Math.min(
    trackCount,
    Math.max(Math.ceil(trackCount / MAX_CONFIGS), scaled(CATALOG_BASE_SIZES.trackPackages, scale)),
  );

  // Independent streams, so that for instance the cars do not change when the track generator does.
  const carRng = new Rng(mixSeed(seed, 1));
  const trackRng = new Rng(mixSeed(seed, 2));
  const classRng = new Rng(mixSeed(seed, 3));
  const idRng = new Rng(mixSeed(seed, 4));

  const carPlans = planCars(carRng, carCount)
    .map((plan, order) => ({ plan, order }))
    .sort((a, b) => a.plan.created - b.plan.created || a.order - b.order)
    .map((x) => x.plan);
  const packagePlans = planPackages(trackRng, packageCount, trackCount);
  const { carPackage, carSku } = assignPackages(idRng, carPlans, packagePlans);

  // Tracks: configurations ordered by creation get the track ids.
  const configs = packagePlans
    .flatMap((pkg) => configsOf(trackRng, pkg, packageTraits(trackRng, pkg)))
    .map((config, order) => ({ config, order }))
    .sort((a, b) => a.config.created - b.config.created || a.order - b.order)
    .map((x) => x.config);
  const trackIds = idSequence(idRng, 1, configs.length, [
    [[1, 1], 85],
    [[2, 3], 15],
  ]);
  const tracks = configs.map((config, i) => trackRow(trackRng, config, trackIds[i]));
  const ovalTrack = tracks.find((t) => t.category === 'oval');
  const ovalTrackId = ovalTrack ? (ovalTrack.track_id as number) : undefined;

  const carIds = idSequence(idRng, 1, carPlans.length, [
    [[1, 1], 86],
    [[2, 3], 14],
  ]);
  const cars = carPlans.map((plan, i) =>
    carRow(carRng, plan, carIds[i], carPackage[i], carSku[i], ovalTrackId),
  );
  const carClasses = buildClasses(classRng, carPlans, cars, classCount);
  return { cars, carClasses, tracks };
}
