// Data only, no schema change: repairs what earlier imports left behind.
// - A series `series/get` does not list, created from a season's schedule, takes the category of most of its weeks.
// - A season known from `series/season_schedule` alone (no car class named anywhere in it) takes its classes from
//   the cars its weeks allow (`race_week.car_ids` and the BOP table), through the catalog's car_class_car, as the
//   seasons importer now does (seasons.mapping.ts, `classesForCars`): per week the classes whose every car is
//   allowed, largest first (then the highest id), not overlapping; a week with a car no such class covers keeps
//   its allowed cars in `car_ids`; a week allowing no car takes the season's classes; the season the union of its
//   weeks' classes; an event class per week and class, fastest first.
// - A car or track model no car or track belongs to any more (left behind by a rename upstream) is deleted.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ScheduleOnly1795319200000 implements MigrationInterface {
  name = 'ScheduleOnly1795319200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      UPDATE series s SET category = x.category, category_id = x.category_id, updated_at = now()
      FROM (
        SELECT DISTINCT ON (series_id) series_id, category, category_id FROM (
          SELECT series_id, category, count(*) AS n, max(start_time) AS last,
                 (array_agg((raw->>'category_id')::int ORDER BY start_time DESC)
                    FILTER (WHERE jsonb_typeof(raw->'category_id') = 'number'))[1] AS category_id
          FROM race_week WHERE category IS NOT NULL GROUP BY series_id, category
        ) c ORDER BY series_id, n DESC, last DESC
      ) x
      WHERE s.series_id = x.series_id AND s.category IS NULL`);

    await queryRunner.query(`
      CREATE TEMP TABLE schedule_only_season ON COMMIT DROP AS
      SELECT s.season_id FROM season s
      WHERE cardinality(s.car_class_ids) = 0
        AND NOT EXISTS (SELECT 1 FROM race_week w WHERE w.season_id = s.season_id AND cardinality(w.car_class_ids) > 0)`);
    await queryRunner.query(`
      DO $$
      DECLARE
        w record;
        k record;
        covered int[];
        chosen int[];
      BEGIN
        FOR w IN
          SELECT rw.id, rw.car_ids, ARRAY(
                   SELECT DISTINCT x FROM unnest(rw.car_ids || ARRAY(
                     SELECT r.car_id FROM car_restriction r WHERE r.race_week_id = rw.id)) x ORDER BY x) AS cars
          FROM race_week rw WHERE rw.season_id IN (SELECT season_id FROM schedule_only_season)
        LOOP
          CONTINUE WHEN cardinality(w.cars) = 0;
          covered := '{}';
          chosen := '{}';
          FOR k IN
            SELECT m.car_class_id, array_agg(m.car_id) AS cars FROM car_class_car m
            WHERE m.car_class_id IN (SELECT car_class_id FROM car_class_car WHERE car_id = ANY(w.cars))
            GROUP BY m.car_class_id HAVING array_agg(m.car_id) <@ w.cars
            ORDER BY count(*) DESC, m.car_class_id DESC
          LOOP
            IF NOT (k.cars && covered) THEN
              chosen := chosen || k.car_class_id;
              covered := covered || k.cars;
            END IF;
          END LOOP;
          UPDATE race_week SET
            car_class_ids = ARRAY(SELECT x FROM unnest(chosen) x ORDER BY x),
            car_ids = CASE WHEN cardinality(w.car_ids) = 0 AND NOT (w.cars <@ covered) THEN w.cars ELSE w.car_ids END
          WHERE id = w.id;
        END LOOP;
      END $$`);
    await queryRunner.query(`
      UPDATE season s SET car_class_ids = u.ids, multiclass = u.multi, updated_at = now()
      FROM (
        SELECT rw.season_id, array_agg(DISTINCT c ORDER BY c) AS ids, bool_or(cardinality(rw.car_class_ids) > 1) AS multi
        FROM race_week rw CROSS JOIN unnest(rw.car_class_ids) c
        WHERE rw.season_id IN (SELECT season_id FROM schedule_only_season) GROUP BY rw.season_id
      ) u WHERE s.season_id = u.season_id`);
    await queryRunner.query(`
      UPDATE race_week rw SET car_class_ids = s.car_class_ids
      FROM season s WHERE s.season_id = rw.season_id AND cardinality(rw.car_class_ids) = 0
        AND s.season_id IN (SELECT season_id FROM schedule_only_season)`);
    await queryRunner.query(`
      INSERT INTO event_class (event_id, car_class_id, position, car_ids)
      SELECT e.id, c.id,
             (row_number() OVER (PARTITION BY e.id ORDER BY COALESCE(cc.relative_speed, 0) DESC, c.id) - 1)::int,
             rw.car_ids
      FROM race_week rw JOIN event e ON e.race_week_id = rw.id
      CROSS JOIN unnest(rw.car_class_ids) AS c(id) LEFT JOIN car_class cc ON cc.car_class_id = c.id
      WHERE rw.season_id IN (SELECT season_id FROM schedule_only_season)
      ON CONFLICT (event_id, car_class_id) DO NOTHING`);

    await queryRunner.query(
      `DELETE FROM track_model m WHERE NOT EXISTS (SELECT 1 FROM sim_track t WHERE t.track_model_id = m.id)`,
    );
    await queryRunner.query(
      `DELETE FROM car_model m WHERE NOT EXISTS (SELECT 1 FROM sim_car c WHERE c.car_model_id = m.id)`,
    );
  }

  public async down(): Promise<void> {
    // Data repairs only: nothing to undo (the next imports write the same).
  }
}
