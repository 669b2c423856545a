import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-class entries and strength of field of a subsession (`results/get` `car_classes[]`); iRacing's -1 ("not
 * applicable") stored before as a subsession's SoF, cautions or lead changes becomes null.
 */
export class SubsessionClasses1795319700000 implements MigrationInterface {
  name = 'SubsessionClasses1795319700000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "event_result_class" (
         "id" SERIAL NOT NULL,
         "event_result_id" integer NOT NULL,
         "car_class_id" integer NOT NULL,
         "position" integer NOT NULL,
         "strength_of_field" integer,
         "entries" integer,
         CONSTRAINT "uq_event_result_class" UNIQUE ("event_result_id", "car_class_id"),
         CONSTRAINT "PK_event_result_class" PRIMARY KEY ("id"),
         CONSTRAINT "FK_event_result_class_event_result" FOREIGN KEY ("event_result_id")
           REFERENCES "event_result"("id") ON DELETE CASCADE ON UPDATE NO ACTION
       )`,
    );
    for (const column of ['strength_of_field', 'num_cautions', 'num_caution_laps', 'num_lead_changes'])
      await q.query(`UPDATE "event_result" SET "${column}" = NULL WHERE "${column}" < 0`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "event_result_class"`);
  }
}
