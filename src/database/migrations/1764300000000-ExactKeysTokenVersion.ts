import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { columns, exactCollation } from '../schema-helpers';

/** The uniqueness keys, as the initial schema defined them: table, column definition, nullability. */
const KEY_COLUMNS = [
  ['customers', 'email_key varchar(254)', 'NULL'],
  ['accounts', 'username_key varchar(64)', 'NOT NULL'],
] as const;

/**
 * - `customers.email_key` and `accounts.username_key` compare exactly on MySQL/MariaDB, as they do on SQLite:
 *   the code already lower-cases the keys, and the default `utf8mb4_unicode_ci` folded more on top
 *   (`jose` = `josé`, `strasse` = `straße`, `alice` = `alice `), so uniqueness and look-ups differed by engine.
 *   A binary collation without trailing-space padding makes the database compare the bytes the code wrote.
 * - `accounts.token_version`: embedded in each customer token at login and raised by every password change,
 *   so that tokens issued before the change are refused.
 */
export class ExactKeysTokenVersion1764300000000 implements MigrationInterface {
  name = 'ExactKeysTokenVersion1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columns(queryRunner);
    await queryRunner.addColumn('accounts', new TableColumn(c.integer('token_version', '0')));
    // SQLite compares text with BINARY already
    if (queryRunner.connection.options.type !== 'mysql') return;
    const collation = await exactCollation(queryRunner);
    for (const [table, column, nullability] of KEY_COLUMNS) {
      await queryRunner.query(`ALTER TABLE ${table} MODIFY ${column} CHARACTER SET utf8mb4 COLLATE ${collation} ${nullability}`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'mysql') {
      // back to the table's default collation; fails (duplicate key) once two keys differ only by accents
      for (const [table, column, nullability] of KEY_COLUMNS) {
        const [{ collation }] = await queryRunner.query(
          'SELECT TABLE_COLLATION AS collation FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
          [table],
        );
        await queryRunner.query(`ALTER TABLE ${table} MODIFY ${column} CHARACTER SET utf8mb4 COLLATE ${collation} ${nullability}`);
      }
    }
    await queryRunner.dropColumn('accounts', 'token_version');
  }
}
