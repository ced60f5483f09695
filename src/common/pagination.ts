import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, Min, ValidateBy } from 'class-validator';
import type { EntityMetadata, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { RowReader } from '../database/row-reader';
import { ValidationFastPath, type QueryFields, recogniseQuery } from '../platform/validation-fast-path';
import { CommonErrors } from './common.errors';
import { queryInt, QueryInt } from './dto-helpers';
import { MAX_ID } from './limits';
import { problem } from './problem';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
const MAX_OFFSET = 1_000_000_000;
/** `total` counts at most this many rows; a list with more answers this number with `total_exact: false`. */
export const TOTAL_CAP = 10_000;
/** No cursor a list hands out comes near this length; longer input is refused before it is decoded. */
export const MAX_CURSOR_LENGTH = 512;

const CURSOR_PATTERN = /^[A-Za-z0-9_-]+$/;

/** `offset` must be 0 next to `after`: the cursor already says where the page starts. */
const ZeroWithCursor = () =>
  ValidateBy({
    name: 'zeroWithCursor',
    validator: {
      validate: (value, args) => (args?.object as PaginationQueryDto).after === undefined || value === 0,
      defaultMessage: () => 'offset must be 0 (or absent) with after: the cursor already says where the page starts',
    },
  });

/** The paging parameters as the decorators below accept them; a list's query DTO adds its filters. */
export const PAGE_FIELDS: QueryFields = {
  limit: (value) => queryInt(value, 1, MAX_LIMIT),
  offset: (value) => queryInt(value, 0, MAX_OFFSET),
  after: (value) => value,
};

/**
 * A page query (`Dto` with `fields`) from plainly valid query input, or undefined (see ValidationFastPath).
 * Like ZeroWithCursor, a cursor with a non-zero offset is not plainly valid.
 */
export function recognisePage<T extends PaginationQueryDto>(input: unknown, Dto: new () => T, fields = PAGE_FIELDS): T | undefined {
  const page = recogniseQuery(input, Dto, fields);
  return page && (page.after === undefined || page.offset === 0) ? page : undefined;
}

@ValidationFastPath((input) => recognisePage(input, PaginationQueryDto))
export class PaginationQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: MAX_LIMIT,
    default: DEFAULT_LIMIT,
    description: 'Page size',
  })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit: number = DEFAULT_LIMIT;

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: MAX_OFFSET,
    default: 0,
    description:
      'Items to skip (offset paging). The database still reads the items it skips, so a deep offset costs more the deeper ' +
      'it goes; `after` does not. Must be 0 (or absent) with `after` (400 `VALIDATION_FAILED`).',
  })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  @ZeroWithCursor()
  offset: number = 0;

  @ApiPropertyOptional({
    description:
      'Keyset paging: the `next_cursor` of the previous page, as it was given; the page starts right after that item, in ' +
      "the list's order, and costs the same however deep it is. Not with a non-zero `offset` (400 `VALIDATION_FAILED`). " +
      'A malformed or altered cursor, or one from another list, is 400 `INVALID_CURSOR`; with other filters a cursor is ' +
      'only a position in the same order, and the filters still apply.',
    maxLength: MAX_CURSOR_LENGTH,
    pattern: CURSOR_PATTERN.source,
    // no example: Swagger UI's "Try it out" would send it, and a cursor belongs to one list
  })
  @IsOptional()
  @IsString()
  after?: string;
}

/** A page as every list answers it. */
export interface Page<T> {
  items: T[];
  total: number;
  total_exact: boolean;
  limit: number;
  offset: number;
  next_cursor: string | null;
}

/** Swagger shape of a page; subclasses narrow `items`. */
export abstract class PageDto {
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 42,
    maximum: TOTAL_CAP,
    description: `Items matching the filters, counted up to ${TOTAL_CAP}: a list with more says ${TOTAL_CAP} and \`total_exact: false\``,
  })
  total: number;
  @ApiProperty({ example: true, description: `false when the list holds more than ${TOTAL_CAP} items and \`total\` is the cap` })
  total_exact: boolean;
  @ApiProperty({ type: 'integer', format: 'int32', example: 20 }) limit: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 0 }) offset: number;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'eyJsaXN0Ijoib3JkZXJzIiwia2V5cyI6WyIyMDI2LTExLTI1VDEwOjAwOjAwLjAwMFoiLDQyXX0',
    description: 'Pass as `after` for the next page; null on the last page. Opaque: it encodes where this page ended.',
  })
  next_cursor: string | null;
}

/**
 * The kind of one sort key, which is also how its value is written in a cursor: a timestamp as ISO 8601 UTC
 * (with milliseconds where the database holds them), an id as a positive integer, any other integer as such.
 */
type KeyKind = 'timestamp' | 'id' | 'integer';
type CursorValue = string | number;

export interface SortKey<E> {
  /** The entity property the list is ordered by (on the query's main alias). */
  property: keyof E & string;
  kind: KeyKind;
}

/**
 * How a list is ordered, and so what its cursors hold: the values of these keys of the last item of a page.
 * The keys end with the primary key `id`, so that the order is total (no item is skipped or repeated on ties)
 * and a page's rows can be read by it. `list` names the list in its cursors, so that a cursor from another
 * list is refused.
 */
export interface ListOrder<E> {
  list: string;
  direction: 'ASC' | 'DESC';
  keys: readonly SortKey<E>[];
}

/** Newest first: created_at, then id (ids alone are not in time order across Galera nodes). */
export function newestFirst<E extends { createdAt: Date; id: number }>(list: string): ListOrder<E> {
  const keys: SortKey<{ createdAt: Date; id: number }>[] = [
    { property: 'createdAt', kind: 'timestamp' },
    { property: 'id', kind: 'id' },
  ];
  return { list, direction: 'DESC', keys: keys as SortKey<E>[] };
}

/** By id alone, ascending (oldest first) unless told otherwise. */
export function byId<E extends { id: number }>(list: string, direction: 'ASC' | 'DESC' = 'ASC'): ListOrder<E> {
  const keys: SortKey<{ id: number }>[] = [{ property: 'id', kind: 'id' }];
  return { list, direction, keys: keys as SortKey<E>[] };
}

/** A cursor is base64url of `{"list": …, "keys": [the last item's sort keys]}`: opaque to clients, plain to us. */
export function encodeCursor<E>(order: ListOrder<E>, keys: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify({ list: order.list, keys })).toString('base64url');
}

/**
 * The sort keys a cursor holds, or 400 INVALID_CURSOR: not base64url JSON, another list's cursor, keys of the
 * wrong number or type (an id beyond MAX_ID, a date that does not exist), or any text other than exactly what
 * encodeCursor writes (so that one position has one cursor). A well-formed cursor that no page handed out is
 * harmless: it is a position in the list's order, and the list's filters and access rules still apply.
 */
export function decodeCursor<E>(order: ListOrder<E>, cursor: string): CursorValue[] {
  const refuse = (reason: string) =>
    problem(CommonErrors.INVALID_CURSOR, `after is not a cursor of this list (${reason}): start without it, or pass next_cursor as given`, [
      { field: 'after', message: reason },
    ]);
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !CURSOR_PATTERN.test(cursor))
    throw refuse('empty, too long or not base64url');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse('not JSON');
  }
  if (typeof decoded !== 'object' || decoded === null || !('list' in decoded) || !('keys' in decoded)) throw refuse('malformed');
  const { list, keys } = decoded;
  if (list !== order.list) throw refuse('it belongs to another list');
  if (!Array.isArray(keys) || keys.length !== order.keys.length || !order.keys.every((key, i) => isKeyValue(key.kind, keys[i]))) {
    throw refuse('malformed sort keys');
  }
  if (encodeCursor(order, keys) !== cursor) throw refuse('not as this list writes it');
  return keys as CursorValue[];
}

const ISO_UTC = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{3})?Z$/;
const INT32_MAX = 2_147_483_647;

function isKeyValue(kind: KeyKind, value: unknown): value is CursorValue {
  switch (kind) {
    case 'timestamp': {
      // the round trip refuses dates that do not exist (2026-02-30), which Date would roll over
      const match = typeof value === 'string' ? ISO_UTC.exec(value) : null;
      return match !== null && new Date(value as string).toISOString() === `${match[1]}${match[2] ?? '.000'}Z`;
    }
    case 'id':
      return Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= MAX_ID;
    case 'integer':
      return Number.isSafeInteger(value) && Math.abs(value as number) <= INT32_MAX;
  }
}

const SQLITE_DATETIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{3})?$/;

/**
 * The cursor value of a sort key as the database returned it (raw, not as the entity holds it). The keyset
 * condition must compare exactly what ORDER BY sorts: SQLite holds DATETIME columns as text, and TypeORM's
 * default for a created_at has whole seconds ('2026-11-25 10:00:00') where an explicit time has milliseconds
 * ('2026-11-25 10:00:00.000'); the two sort apart there, so a cursor keeps the form it was read in. MariaDB
 * answers a Date.
 */
function cursorValue(kind: KeyKind, raw: unknown): CursorValue {
  if (kind !== 'timestamp') return Number(raw);
  if (raw instanceof Date) return raw.toISOString();
  if (typeof raw === 'string' && SQLITE_DATETIME.test(raw)) return `${raw.replace(' ', 'T')}Z`;
  throw new Error(`A timestamp sort key came back as ${typeof raw}, in no form a cursor can hold`);
}

/** A cursor value as the query compares it with the column: a timestamp back in the database's form. */
const toParameter = (kind: KeyKind, value: CursorValue) =>
  kind === 'timestamp' ? (value as string).replace('T', ' ').replace('Z', '') : value;

/** One page's rows, before they are mapped to the answer. */
export interface RowsPage<E> {
  rows: E[];
  total: number;
  totalExact: boolean;
  nextCursor: string | null;
}

/**
 * Reads one page of a list: `qb` holds the list's filters, `order` its order, and `index` names the index that
 * serves them: it leads with the filters' equality columns and continues with the order's keys. Every query
 * reads a range of an index, whatever the size of the table:
 * - the page's keys: the filters, plus with `after` the keyset condition, ordered by the keys, LIMIT limit + 1
 *   (the extra row only says whether a next page exists, so the last page answers `next_cursor: null`);
 * - the page's rows, by primary key;
 * - the total: `SELECT COUNT(*) FROM (SELECT 1 … LIMIT TOTAL_CAP + 1)`, which stops after TOTAL_CAP + 1 rows;
 *   none when `options.total` gives it (a count the list's owner keeps as rows are written), only capped.
 * Offset paging still works, but the keys query reads and skips `offset` index entries, so its cost grows with
 * the offset; `after` seeks.
 * TypeORM writes the count's and the keys' SQL once per shape of list (see sqlOf); a request only binds its values.
 */
export async function readPage<E extends ObjectLiteral & { id: number }>(
  qb: SelectQueryBuilder<E>,
  query: PaginationQueryDto,
  order: ListOrder<E>,
  index: string,
  options?: { total?: number },
): Promise<RowsPage<E>> {
  const after = query.after === undefined ? undefined : decodeCursor(order, query.after);
  const { total, totalExact } = options?.total === undefined ? await cappedCount(qb) : capTotal(options.total);
  const keys = await pageKeys(qb, query, order, index, after);
  const more = keys.length > query.limit;
  if (more) keys.length = query.limit;
  const rows = await rowsByIds(
    qb,
    keys.map((row) => Number(row[`key_${order.keys.length - 1}`])),
  );
  const last = keys.at(-1);
  const nextCursor =
    more && last
      ? encodeCursor(
          order,
          order.keys.map((key, i) => cursorValue(key.kind, last[`key_${i}`])),
        )
      : null;
  return { rows, total, totalExact, nextCursor };
}

/**
 * The sort keys of the page's items (the last one is the id), as the database holds them. MariaDB 10.11 reads
 * the index named with FORCE INDEX: left to itself, its cost model prefers reading the filters' whole range
 * of that index from one end and dropping the rows before the cursor (access type ref) over seeking the cursor
 * (range), which makes a page cost more the deeper it is. SQLite's planner seeks without being told.
 */
async function pageKeys<E extends ObjectLiteral>(
  qb: SelectQueryBuilder<E>,
  query: PaginationQueryDto,
  order: ListOrder<E>,
  index: string,
  after: CursorValue[] | undefined,
): Promise<Record<string, unknown>[]> {
  const variant = ['keys', index, order.direction, ...order.keys.map((key) => key.property), after ? 'after' : 'first'];
  const sql = sqlOf(qb, variant, () => {
    const column = (key: SortKey<E>) => `${qb.alias}.${key.property}`;
    const page = qb.clone().select(column(order.keys[0]), 'key_0');
    order.keys.slice(1).forEach((key, i) => page.addSelect(column(key), `key_${i + 1}`));
    if (after) page.andWhere(keysetCondition(order, column));
    page.orderBy();
    for (const key of order.keys) page.addOrderBy(column(key), order.direction);
    if (qb.connection.options.type !== 'mysql') return page.getQuery();
    // TypeORM writes USE INDEX, a suggestion MariaDB weighs against ref access and loses; FORCE INDEX is what makes it seek
    return page.useIndex(index).getQuery().replace(' USE INDEX (', ' FORCE INDEX (');
  });
  const keyset = after ? Object.fromEntries(order.keys.map((key, i) => [`keyset_${i}`, toParameter(key.kind, after[i])])) : {};
  // as TypeORM writes them, last (no lock follows); the one part of the text that changes with the request
  return run(qb, `${sql} LIMIT ${query.limit + 1} OFFSET ${query.offset}`, keyset);
}

const rowReaders = new WeakMap<EntityMetadata, RowReader<ObjectLiteral>>();

/**
 * The page's rows by primary key, in the page's order. No `deleted_at IS NULL`: the keys query has already left
 * deleted rows out, and without it this is a read of the primary key alone (a row soft-deleted in between is
 * shown as it was a moment before). Hand-written and read by RowReader, which converts each column as TypeORM's
 * getMany does, without its query building and hydration.
 */
async function rowsByIds<E extends ObjectLiteral & { id: number }>(qb: SelectQueryBuilder<E>, ids: number[]): Promise<E[]> {
  if (!ids.length) return [];
  const { connection, alias } = qb;
  const { metadata } = qb.expressionMap.mainAlias!;
  let reader = rowReaders.get(metadata) as RowReader<E> | undefined;
  if (!reader) rowReaders.set(metadata, (reader = new RowReader<E>(connection, metadata.target)));
  const quote = (name: string) => connection.driver.escape(name);
  const found = (await connection.query(
    `SELECT ${reader.selectList(alias)} FROM ${quote(metadata.tableName)} ${quote(alias)} WHERE ${quote(alias)}.${quote('id')} IN (${ids.map(() => '?').join(', ')})`,
    ids,
  )) as Record<string, unknown>[];
  const byId = new Map(found.map((row) => reader.read(row)).map((row) => [Number(row.id), row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/**
 * "After the cursor" in the list's order, written so that both engines seek the index at the cursor:
 * `k1 <= :v1 AND (k1 < :v1 OR (k1 = :v1 AND k2 < :v2))` for DESC (>= and > for ASC), nested likewise for more
 * keys. SQLite seeks with the first term and reads the cursor's ties on k1 again; MariaDB builds the exact range
 * from the rest. Not the row constructor `(k1, k2) < (:v1, :v2)`, which MariaDB 10.11 does not seek with (it
 * reads the range from its start up to the cursor), nor the OR alone, which SQLite does not seek with when the
 * values are bound parameters (it cannot see that the two :v1 are one value). test/lists-at-scale.e2e-spec.ts
 * EXPLAINs and measures it.
 */
function keysetCondition<E>(order: ListOrder<E>, column: (key: SortKey<E>) => string): string {
  const strict = order.direction === 'DESC' ? '<' : '>';
  const from = (i: number): string => {
    const key = order.keys[i];
    if (i === order.keys.length - 1) return `${column(key)} ${strict} :keyset_${i}`;
    return `${column(key)} ${strict}= :keyset_${i} AND (${column(key)} ${strict} :keyset_${i} OR (${column(key)} = :keyset_${i} AND ${from(i + 1)}))`;
  };
  return `(${from(0)})`;
}

/** How many rows match the filters, counting no further than TOTAL_CAP + 1 (so never more than that is read). */
async function cappedCount<E extends ObjectLiteral>(qb: SelectQueryBuilder<E>): Promise<{ total: number; totalExact: boolean }> {
  const sql = sqlOf(qb, ['count'], () => {
    const capped = qb
      .clone()
      .select('1', 'one')
      .orderBy()
      .limit(TOTAL_CAP + 1)
      .offset(undefined)
      .getQuery();
    // raw, because the LIMIT must stay inside the subquery
    return `SELECT COUNT(*) AS counted FROM (${capped}) capped`;
  });
  // mysql2 answers COUNT(*) as a string
  const [row] = (await run(qb, sql)) as { counted: number | string }[];
  return capTotal(Number(row.counted));
}

const capTotal = (counted: number) =>
  counted > TOTAL_CAP ? { total: TOTAL_CAP, totalExact: false } : { total: counted, totalExact: true };

/** A caller that wrote values into its conditions would make a shape of each value: past this many, none is kept. */
const MAX_SHAPES_PER_TABLE = 256;
const builtSql = new WeakMap<EntityMetadata, Map<string, string>>();

/**
 * The SQL `build` writes from `qb` for one of readPage's queries (`variant`), with its parameters still named
 * (`:status`): TypeORM's building (clone, getQuery and its rewriting of property names) stood out in the profile
 * of a list request, so it is built once per shape and kept. A shape is what the SQL depends on: the table (one cache per entity of each data source), the alias,
 * withDeleted, the conditions as the caller wrote them, and `variant`, which must name everything else `build`
 * reads. Only the parameters' values change between requests of a shape, and `run` binds them as TypeORM does.
 * A builder with conditions that are not text (Brackets, objects: TypeORM writes them from their values) or with
 * joins or grouping has no shape, and is built every time.
 */
function sqlOf<E extends ObjectLiteral>(qb: SelectQueryBuilder<E>, variant: string[], build: () => string): string {
  const { mainAlias, wheres, joinAttributes, groupBys, havings, withDeleted } = qb.expressionMap;
  const conditions = wheres.map(({ type, condition }) => (typeof condition === 'string' ? [type, condition] : undefined));
  if (joinAttributes.length || groupBys.length || havings.length || conditions.includes(undefined)) return build();
  let shapes = builtSql.get(mainAlias!.metadata);
  if (!shapes) builtSql.set(mainAlias!.metadata, (shapes = new Map()));
  const shape = JSON.stringify([variant, qb.alias, withDeleted, conditions]);
  let sql = shapes.get(shape);
  if (sql === undefined) {
    sql = build();
    if (shapes.size < MAX_SHAPES_PER_TABLE) shapes.set(shape, sql);
  }
  return sql;
}

/** Runs SQL from sqlOf with the builder's parameters and `more`, bound as getQueryAndParameters binds them. */
function run<E extends ObjectLiteral>(
  qb: SelectQueryBuilder<E>,
  sql: string,
  more: ObjectLiteral = {},
): Promise<Record<string, unknown>[]> {
  const [bound, parameters] = qb.connection.driver.escapeQueryWithParameters(sql, { ...qb.getParameters(), ...more });
  return qb.connection.query(bound, parameters);
}

/** The answer: the page's rows mapped (with their index, for answers assembled beside the rows). */
export function toPage<E, T>(page: RowsPage<E>, query: PaginationQueryDto, map: (row: E, index: number) => T): Page<T> {
  return {
    items: page.rows.map(map),
    total: page.total,
    total_exact: page.totalExact,
    limit: query.limit,
    offset: query.offset,
    next_cursor: page.nextCursor,
  };
}
