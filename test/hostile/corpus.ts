// The hostile corpus: every request an attacker or a careless client was seen to send, as data. One spec
// (test/e2e/hostile.e2e-spec.ts) sends each over HTTP and over the WebSocket and checks the answer: a refusal with
// the expected code and a message naming what is wrong (the same on both transports), or, for requests that
// must be accepted, data over HTTP. Nothing here may be answered with a 5xx, INTERNAL_SERVER_ERROR, a stack or SQL.

export type Variables = Record<string, unknown>;

export interface Refused {
  /** Codes accepted for the refusal (graphql-js's own validation code, or BAD_USER_INPUT). */
  codes: string[];
  message: RegExp;
}

export interface HostileCase {
  /** What the request tries. */
  name: string;
  /** What it threatens: `limits` (the event loop, memory), `input`, `auth`, `schema` (what production hides). */
  threat: 'limits' | 'input' | 'auth' | 'schema';
  query: string;
  variables?: Variables;
  /** Sent with the admin key, or with a key that is not one. */
  key?: 'admin' | 'wrong';
  /** The expected refusal; absent when the request must be accepted (over HTTP). */
  refused?: Refused;
}

const INPUT = ['BAD_USER_INPUT'];
const INVALID = ['GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT'];

/** Fragments F0 … Fn, each spreading the next twice: 2^(n+1) - 1 fields once expanded, n + 2 lines of text. */
export function fragmentBomb(n: number, root = 'query'): string {
  const lines = [`${root} Bomb { ...F0 }`];
  const on = root === 'subscription' ? 'Subscription' : 'Query';
  const leaf = root === 'subscription' ? 'syncRunUpdated { id }' : '__typename cars { totalCount }';
  for (let i = 0; i < n; i++) lines.push(`fragment F${i} on ${on} { ${leaf} ...F${i + 1} ...F${i + 1} }`);
  lines.push(`fragment F${n} on ${on} { ${leaf} }`);
  return lines.join('\n');
}

const aliases = (n: number, field = 'cars(first: 100) { totalCount }') =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

const deepObjects = (levels: number) =>
  `{ seriesList(first: 1) { edges { node { seasons { series { ${'seasons { series { '.repeat(levels)} id ${'} } '.repeat(levels)} } } } } } }`;

const ids = (n: number, from = 1) => Array.from({ length: n }, (_, i) => from + i);

export const HOSTILE_CORPUS: HostileCase[] = [
  // --- the event loop and memory ----------------------------------------------------------------------------
  {
    name: 'a fragment bomb: 31 fragments, each spreading the next twice',
    threat: 'limits',
    query: fragmentBomb(31),
    refused: { codes: INPUT, message: /root fields|complexity/ },
  },
  {
    name: '1,000 aliases of one page of cars',
    threat: 'limits',
    query: aliases(1000),
    // Over the token cap before the root-field limit is even measured.
    refused: { codes: INPUT, message: /selects 1000 root fields .* limit of 50|more than 5000 tokens/ },
  },
  {
    name: '60 aliases of a car lookup (each alias its own statements)',
    threat: 'limits',
    query: aliases(60, 'car(id: 1) { name }'),
    refused: { codes: INPUT, message: /selects 60 root fields .* limit of 50/ },
  },
  {
    name: 'braces nested 200 deep (the parser recurses)',
    threat: 'limits',
    query: `{ cars ${'{ a '.repeat(200)}${'} '.repeat(200)}}`,
    refused: { codes: INPUT, message: /nesting \d+ exceeds the limit of 100/ },
  },
  {
    name: 'a selection 14 levels deep',
    threat: 'limits',
    query: deepObjects(5),
    refused: { codes: INPUT, message: /depth \d+ exceeds the limit of 12/ },
  },
  {
    name: 'a document of more tokens than the parser takes',
    threat: 'limits',
    query: `{ ${'__typename '.repeat(6000)}}`,
    refused: { codes: INPUT, message: /more than 5000 tokens/ },
  },
  {
    name: 'every session start of 100 seasons of weeks (672 a week)',
    threat: 'limits',
    query: `{ seasons(first: 100) { edges { node { raceWeeks { event { instances { startTime sessionId } } } } } } }`,
    refused: { codes: INPUT, message: /complexity \d+ exceeds the limit of 500000/ },
  },
  {
    name: 'the hourly forecast of every week of 100 seasons',
    threat: 'limits',
    query: `{ seasons(first: 100) { edges { node { raceWeeks { forecast { timeOffset airTempC precipChancePct cloudCoverPct } } } } } }`,
    refused: { codes: INPUT, message: /complexity \d+ exceeds the limit of 500000/ },
  },
  {
    name: 'a page of 100 series with every session start of every week of every season',
    threat: 'limits',
    query: `{ seriesList(first: 100) { edges { node { seasons { raceWeeks { event { instances { startTime } } } } } } } }`,
    refused: { codes: INPUT, message: /complexity \d+ exceeds the limit of 500000/ },
  },
  {
    name: 'more session starts per event than the cap',
    threat: 'limits',
    query: `{ seasons(first: 1) { edges { node { raceWeeks { event { instances(first: 1001) { startTime } } } } } } }`,
    refused: { codes: INPUT, message: /first must not be greater than 1000/ },
  },
  {
    name: 'more forecast hours per week than the cap',
    threat: 'limits',
    query: `{ seasons(first: 1) { edges { node { raceWeeks { forecast(first: 501) { timeOffset } } } } } }`,
    refused: { codes: INPUT, message: /first must not be greater than 500/ },
  },
  {
    name: 'a bounded page of session starts (accepted)',
    threat: 'limits',
    query: `{ seasons(first: 5) { edges { node { raceWeeks { event { instances(first: 10) { startTime } } } } } } }`,
  },
  // --- input ----------------------------------------------------------------------------------------------------
  {
    name: 'a NUL byte in a search string',
    threat: 'input',
    query: `query($s: String) { cars(filter: { search: $s }) { totalCount } }`,
    variables: { s: 'Mazda\u0000' },
    refused: { codes: INPUT, message: /search.*(NUL|null character|\\0|U\+0000)/i },
  },
  {
    name: 'a date before the first representable instant',
    threat: 'input',
    query: `query($d: DateTime) { sessions(filter: { from: $d }) { totalCount } }`,
    variables: { d: '-271821-04-20T00:00:00Z' },
    refused: { codes: INPUT, message: /DateTime|date/i },
  },
  {
    name: 'a calendar date that does not exist (30 February)',
    threat: 'input',
    query: `query($d: DateTime) { sessions(filter: { from: $d }) { totalCount } }`,
    variables: { d: '2026-02-30T00:00:00Z' },
    refused: { codes: INPUT, message: /DateTime|date/i },
  },
  {
    name: 'a time without a zone',
    threat: 'input',
    query: `query($d: DateTime) { sessions(filter: { from: $d }) { totalCount } }`,
    variables: { d: '2026-03-01T10:00:00' },
    refused: { codes: INPUT, message: /zone|offset|DateTime/i },
  },
  {
    name: 'a bare integer as a date',
    threat: 'input',
    query: `query($d: DateTime) { sessions(filter: { from: $d }) { totalCount } }`,
    variables: { d: 1767225600000 },
    refused: { codes: INPUT, message: /DateTime|date/i },
  },
  {
    name: 'a variable of the wrong type',
    threat: 'input',
    query: `query($n: Int) { cars(first: $n) { totalCount } }`,
    variables: { n: 'ten' },
    refused: { codes: INPUT, message: /Variable "\$n" got invalid value "ten"/ },
  },
  {
    name: 'a forged cursor',
    threat: 'input',
    query: `{ cars(after: "eyJrIjpbIic7IERST1AgVEFCTEUgY2FyOyAtLSJdfQ==") { totalCount } }`,
    refused: { codes: INPUT, message: /cursor/i },
  },
  {
    name: '1,000 race week ids for a forecast refresh (accepted: split into runs)',
    threat: 'input',
    key: 'admin',
    query: `mutation($ids: [Int!]) { refreshForecasts(input: { raceWeekIds: $ids, dryRun: true }) { id status } }`,
    variables: { ids: ids(1000) },
  },
  // --- authentication -------------------------------------------------------------------------------------------
  {
    name: 'a mutation without a key',
    threat: 'auth',
    query: `mutation { syncCatalog { id } }`,
    refused: { codes: ['UNAUTHENTICATED'], message: /admin API key/ },
  },
  {
    name: 'a mutation with a wrong key',
    threat: 'auth',
    key: 'wrong',
    query: `mutation { syncCatalog { id } }`,
    refused: { codes: ['UNAUTHENTICATED'], message: /admin API key/ },
  },
  // --- what production hides ----------------------------------------------------------------------------------
  {
    name: 'introspection in production',
    threat: 'schema',
    query: `{ __schema { types { name fields { name } } } }`,
    refused: { codes: INVALID, message: /introspection/i },
  },
  {
    name: 'a misspelt field (suggestions would reveal the schema)',
    threat: 'schema',
    query: `{ seriesLis { totalCount } }`,
    refused: { codes: INVALID, message: /^Cannot query field "seriesLis" on type "Query"\.$/ },
  },
];
