import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * iRacing's -1 ("not applicable": no start position in a practice, no timed lap, no interval) stored before in
 * result rows becomes null, as the importer now stores it.
 */
export class NotApplicableAsNull1795319900000 implements MigrationInterface {
  name = 'NotApplicableAsNull1795319900000';

  public async up(q: QueryRunner): Promise<void> {
    const columns = [
      'starting_position',
      'best_lap_time',
      'best_lap_num',
      'average_lap',
      'interval',
      'champ_points',
    ];
    for (const table of ['participant_result', 'team_result'])
      await q.query(
        `UPDATE "${table}" SET ${columns.map((c) => `"${c}" = CASE WHEN "${c}" < 0 THEN NULL ELSE "${c}" END`).join(', ')}
         WHERE ${columns.map((c) => `"${c}" < 0`).join(' OR ')}`,
      );
  }

  public async down(): Promise<void> {
    // The -1s are not restored: null says the same.
  }
}
