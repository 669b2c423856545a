// The GraphQL schema as text, built from the resolvers alone (no database or Redis needed), for the
// committed schema.gql. A test checks that the running application serves exactly this schema.
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import {
  CarClassResolver,
  CarResolver,
  TrackLayoutResolver,
  TrackResolver,
} from './catalog/catalog.resolver.js';
import { CatalogSyncResolver } from './catalog/catalog.sync.js';
import { MembersSyncResolver } from './members/members.sync.js';
import { ResultsSyncResolver } from './results/results.sync.js';
import { SyncResolver } from './scheduler/sync.resolver.js';
import { SeasonsSyncResolver } from './seasons/seasons.sync.js';
import { WeatherSyncResolver } from './weather/weather.sync.js';
import { SEASONS_RESOLVERS } from './seasons/seasons.module.js';
import { WEATHER_RESOLVERS } from './weather/weather.module.js';
import { MEMBERS_RESOLVERS } from './members/members.module.js';
import { RESULTS_RESOLVERS } from './results/results.module.js';
import { AccountsResolver } from './accounts/accounts.resolver.js';
import { ViewerHistoryResolver } from './accounts/viewer-history.resolver.js';
import { AccountsSyncResolver } from './accounts/accounts.sync.js';
import { PLANNER_RESOLVERS } from './planner/planner.module.js';
import { FeedResolver } from './planner/feed.resolver.js';

/** Every resolver class of the API role; keep in step with the modules (the schema test notices a gap). */
export const RESOLVERS = [
  CarResolver,
  CarClassResolver,
  TrackResolver,
  TrackLayoutResolver,
  ...SEASONS_RESOLVERS,
  ...WEATHER_RESOLVERS,
  ...MEMBERS_RESOLVERS,
  ...RESULTS_RESOLVERS,
  AccountsResolver,
  ViewerHistoryResolver,
  ...PLANNER_RESOLVERS,
  SyncResolver,
  CatalogSyncResolver,
  SeasonsSyncResolver,
  WeatherSyncResolver,
  MembersSyncResolver,
  ResultsSyncResolver,
  AccountsSyncResolver,
  FeedResolver,
];

const SCHEMA_HEADER =
  '# ------------------------------------------------------\n' +
  '# THIS FILE WAS AUTOMATICALLY GENERATED (npm run schema:generate): DO NOT EDIT\n' +
  '# ------------------------------------------------------\n\n';

export function printSortedSchema(schema: GraphQLSchema): string {
  return SCHEMA_HEADER + printSchema(lexicographicSortSchema(schema)) + '\n';
}

/** The application's schema, built from the resolvers alone (no database or Redis needed). */
export async function buildSchema(): Promise<GraphQLSchema> {
  const app = await NestFactory.create(GraphQLSchemaBuilderModule, { logger: false });
  await app.init();
  try {
    return await app.get(GraphQLSchemaFactory).create(RESOLVERS);
  } finally {
    await app.close();
  }
}

export async function buildSchemaText(): Promise<string> {
  return printSortedSchema(await buildSchema());
}
