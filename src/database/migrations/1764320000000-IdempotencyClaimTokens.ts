import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { columns } from '../schema-helpers';

/**
 * `idempotency_keys.claim_token`: which request holds a claim. The placing transaction stores its answer
 * only where the token is still its own, and a retry takes over an abandoned claim only where the token
 * is still the one it read, so of two requests racing for one key exactly one can commit work.
 * NULL for claims made before this column existed.
 */
export class IdempotencyClaimTokens1764320000000 implements MigrationInterface {
  name = 'IdempotencyClaimTokens1764320000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('idempotency_keys', new TableColumn(columns(queryRunner).string('claim_token', 36, true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('idempotency_keys', 'claim_token');
  }
}
