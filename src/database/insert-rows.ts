import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { directQuery } from './direct-query';

/**
 * Inserts rows in one hand-written INSERT (`INSERT INTO t (a, b) VALUES (?, ?), (?, ?)`) and returns the id of
 * the first, without TypeORM's insert builder and without reading anything back. Each value is converted as
 * TypeORM converts it for the engine (dates, transformers); the columns are those the first row sets, and every
 * row sets the same ones. For the writes of the hot paths, where building the INSERT cost more than sending it.
 */
export async function insertRows<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  rows: Partial<T>[],
): Promise<number> {
  const metadata = manager.connection.getMetadata(entity);
  const { driver } = manager.connection;
  const columns = metadata.columns.filter((column) => rows[0][column.propertyName] !== undefined);
  const parameters = rows.flatMap((row) => columns.map((column) => driver.preparePersistentValue(row[column.propertyName], column)));
  const placeholders = `(${columns.map(() => '?').join(', ')})`;
  const raw: unknown = await directQuery(
    manager,
    `INSERT INTO ${metadata.tableName} (${columns.map((column) => column.databaseName).join(', ')}) VALUES ${rows.map(() => placeholders).join(', ')}`,
    parameters,
  );
  return insertedId(raw);
}

/** The id of the row an INSERT just wrote: mysql2 answers a result header, better-sqlite3 the row id. */
export function insertedId(raw: unknown): number {
  return Number(typeof raw === 'object' && raw !== null ? (raw as { insertId: number }).insertId : raw);
}
