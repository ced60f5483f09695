import type { DataSource, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * Turns the rows of a hand-written query into entities, each column converted exactly as TypeORM converts it
 * when it hydrates (the engine's dates, the columns' transformers), without TypeORM's query building and
 * aliasing. For the hot reads, which name their columns in plain SQL (`SELECT id, name, … FROM products WHERE
 * id = ?`): building that query and unpicking its aliased result was most of their cost.
 */
export class RowReader<T extends ObjectLiteral> {
  private readonly metadata: EntityMetadata;
  private readonly columns: { name: string; property: string; column: ColumnMetadata }[];

  constructor(
    private readonly dataSource: DataSource,
    entity: EntityTarget<T>,
  ) {
    this.metadata = dataSource.getMetadata(entity);
    // as TypeORM's own reads, without the `select: false` columns (secrets, payloads), which only their readers name
    this.columns = this.metadata.columns
      .filter((column) => column.isSelect)
      .map((column) => ({ name: column.databaseName, property: column.propertyName, column }));
  }

  /**
   * The entity's columns for a SELECT list: `id, name, …`; of a table alias, `p.id, p.name, …`; and with a prefix
   * for rows that join several tables, `i.id AS i_id, …`.
   */
  selectList(alias?: string, prefix?: string): string {
    return this.columns.map(({ name }) => (alias ? `${alias}.${name}` : name) + (prefix ? ` AS ${prefix}${name}` : '')).join(', ');
  }

  /** An entity from a row whose columns carry the column names (with `prefix`, as selectList gave them). */
  read(row: Record<string, unknown>, prefix = ''): T {
    const entity = this.metadata.create() as Record<string, unknown>;
    const { driver } = this.dataSource;
    for (const { name, property, column } of this.columns) entity[property] = driver.prepareHydratedValue(row[prefix + name], column);
    return entity as T;
  }
}
