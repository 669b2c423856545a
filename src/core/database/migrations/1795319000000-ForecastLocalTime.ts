// Forecast times are the simulated local time at the track (DESIGN §6), not instants: `weather_forecast.timestamp`
// becomes a `timestamp without time zone`. The old importer appended `Z` to the zone-less value, so each stored
// instant, read back in UTC, is the wall-clock time iRacing sent: `AT TIME ZONE 'UTC'` (whatever the session's
// TimeZone) keeps every row's value; `down` turns them back into those same instants.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ForecastLocalTime1795319000000 implements MigrationInterface {
  name = 'ForecastLocalTime1795319000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "weather_forecast" ALTER COLUMN "timestamp" TYPE TIMESTAMP WITHOUT TIME ZONE
       USING "timestamp" AT TIME ZONE 'UTC'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "weather_forecast" ALTER COLUMN "timestamp" TYPE TIMESTAMP WITH TIME ZONE
       USING "timestamp" AT TIME ZONE 'UTC'`,
    );
  }
}
