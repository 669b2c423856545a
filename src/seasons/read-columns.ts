// What the season graph's GraphQL objects are read with: every column of their entity except these, which no field
// (nor the calendar feed) shows: iRacing's stored payloads (`raw`, kept for the record, large), links and
// bookkeeping. A column added to an entity is read unless named here. The objects read are plain rows, not
// entities: the properties named here are absent from them.
export const OMIT = {
  series: ['raw', 'categoryId', 'createdAt', 'updatedAt'],
  season: ['raw', 'createdAt', 'updatedAt'],
  raceWeek: [
    'raw',
    'raceTimeDescriptors',
    'weatherUrl',
    'weatherVersion',
    'forecastPath',
    'createdAt',
    'updatedAt',
  ],
  event: ['createdAt', 'updatedAt'],
  eventClass: ['id'],
  session: ['createdAt', 'updatedAt'],
  restriction: ['id', 'createdAt', 'updatedAt'],
  restrictionChange: [],
} as const satisfies Record<string, readonly string[]>;
