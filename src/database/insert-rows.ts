import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { directQuery } from './direct-query';

/** What an INSERT of one entity with one set of columns always looks like, worked out once. */
interface InsertShape {
  columns: ColumnMetadata[];
  /** `INSERT INTO t (a, b) VALUES ` */
  prefix: string;
  /** One row's placeholders: `(?, ?)`. */
  row: string;
  /** The whole statement for one row, the common case. */
  single: string;
}

// keyed by the metadata, not the entity class: each data source (the app's, a test's) has its own
const shapes = new WeakMap<EntityMetadata, Map<string, InsertShape>>();

/**
 * Inserts rows in one hand-written INSERT (`INSERT INTO t (a, b) VALUES (?, ?), (?, ?)`) and returns the id of
 * the first, without TypeORM's insert builder and without reading anything back. Each value is converted as
 * TypeORM converts it for the engine (dates, transformers); the columns are those the first row sets, and every
 * row sets the same ones. For the writes of the hot paths, where building the INSERT cost more than sending it:
 * the statement's text is built once per entity and set of columns, so a call only converts the values.
 */
export async function insertRows<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  rows: Partial<T>[],
): Promise<number> {
  const shape = shapeOf(manager.connection.getMetadata(entity), rows[0]);
  const { driver } = manager.connection;
  const parameters: unknown[] = [];
  for (const row of rows) {
    for (const column of shape.columns) parameters.push(driver.preparePersistentValue(row[column.propertyName], column));
  }
  const sql = rows.length === 1 ? shape.single : shape.prefix + rows.map(() => shape.row).join(', ');
  return insertedId(await directQuery(manager, sql, parameters));
}

function shapeOf(metadata: EntityMetadata, row: ObjectLiteral): InsertShape {
  let byColumns = shapes.get(metadata);
  if (!byColumns) shapes.set(metadata, (byColumns = new Map()));
  let key = '';
  for (const column of metadata.columns) key += row[column.propertyName] !== undefined ? '1' : '0';
  let shape = byColumns.get(key);
  if (!shape) {
    const columns = metadata.columns.filter((column) => row[column.propertyName] !== undefined);
    const prefix = `INSERT INTO ${metadata.tableName} (${columns.map((column) => column.databaseName).join(', ')}) VALUES `;
    const placeholders = `(${columns.map(() => '?').join(', ')})`;
    shape = { columns, prefix, row: placeholders, single: prefix + placeholders };
    byColumns.set(key, shape);
  }
  return shape;
}

/** The id of the row an INSERT just wrote: mysql2 answers a result header, better-sqlite3 the row id. */
export function insertedId(raw: unknown): number {
  return Number(typeof raw === 'object' && raw !== null ? (raw as { insertId: number }).insertId : raw);
}
