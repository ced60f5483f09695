import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * The feed and the relay of the outbox:
 * - `events.position`: the event's place in the feed, stamped by the relay in the order it sees events
 *   commit (ids are not commit-ordered). NULL until stamped; unique, so no two events share a place.
 * - `event_relay_lease`: one row; the instance whose `holder` and `fence` match it is the relay. A takeover
 *   increments `fence`, so a relay that lost the lease can no longer stamp or advance a cursor.
 * - `event_sink_cursors`: how far each destination (webhooks, the message broker) has taken the feed.
 */
export class EventFeedRelay1764500000000 implements MigrationInterface {
  name = 'EventFeedRelay1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    await queryRunner.addColumn('events', new TableColumn({ name: 'position', type: 'bigint', isNullable: true }));
    await queryRunner.createIndex('events', new TableIndex({ name: 'UQ_events_position', columnNames: ['position'], isUnique: true }));
    await queryRunner.createIndex('events', new TableIndex({ name: 'IDX_events_type_position', columnNames: ['type', 'position'] }));
    await queryRunner.createTable(
      new Table({
        name: 'event_relay_lease',
        columns: [
          { name: 'name', type: 'varchar', length: '32', isPrimary: true },
          { name: 'holder', type: 'varchar', length: '128', isNullable: true },
          { name: 'fence', type: 'bigint', default: '0' },
          { name: 'expires_at', type: 'datetime', ...(mysql ? { precision: 3 } : {}), isNullable: true },
        ],
      }),
    );
    await queryRunner.query(`INSERT INTO event_relay_lease (name, holder, fence, expires_at) VALUES ('relay', NULL, 0, NULL)`);
    await queryRunner.createTable(
      new Table({
        name: 'event_sink_cursors',
        columns: [
          { name: 'sink', type: 'varchar', length: '32', isPrimary: true },
          { name: 'position', type: 'bigint', default: '0' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('event_sink_cursors');
    await queryRunner.dropTable('event_relay_lease');
    await queryRunner.dropIndex('events', 'IDX_events_type_position');
    await queryRunner.dropIndex('events', 'UQ_events_position');
    await queryRunner.dropColumn('events', 'position');
  }
}
