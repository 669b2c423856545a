// The importers of the benchmarks, wired by hand on a bench database (its statement-counting DataSource) and an
// iRacing client pointed at the replica: the application's provider graph without Nest, in one place, so a
// change of an importer's constructor is followed here only.
import type { DataSource } from 'typeorm';
import { CatalogRefsService } from '../src/catalog/catalog-refs.service.js';
import { CatalogImporter } from '../src/catalog/catalog.importer.js';
import type { AppConfig } from '../src/core/config/app-config.js';
import type { IracingClient } from '../src/iracing/iracing.client.js';
import { MembersImporter } from '../src/members/members.importer.js';
import { LapsImporter } from '../src/results/laps.importer.js';
import { ResultsImporter } from '../src/results/results.importer.js';
import { SubsessionImporter } from '../src/results/subsession.importer.js';
import { SeasonsImporter } from '../src/seasons/seasons.importer.js';
import { SeasonsWriter } from '../src/seasons/seasons.writer.js';
import { SessionsService } from '../src/seasons/sessions.service.js';
import { WeatherImporter } from '../src/weather/weather.importer.js';

export interface BenchImporters {
  catalog: CatalogImporter;
  seasons: SeasonsImporter;
  weather: WeatherImporter;
  members: MembersImporter;
  results: ResultsImporter;
}

export function benchImporters(client: IracingClient, db: DataSource, config: AppConfig): BenchImporters {
  const catalog = new CatalogImporter(client, db);
  const refs = new CatalogRefsService(catalog, db);
  const writer = new SeasonsWriter(db);
  const sessions = new SessionsService(db);
  const seasons = new SeasonsImporter(client, refs, writer, db);
  const members = new MembersImporter(client, db, refs);
  const subsessions = new SubsessionImporter(
    refs,
    seasons,
    sessions,
    new LapsImporter(client, db),
    members,
    db,
  );
  return {
    catalog,
    seasons,
    weather: new WeatherImporter(client, db, config, writer),
    members,
    results: new ResultsImporter(client, subsessions, seasons, sessions, config, db),
  };
}
