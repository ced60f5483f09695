import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { inMemoryDataSource } from '../database/in-memory-data-source';
import { Order } from '../orders/entities/order.entity';
import { MAX_ID } from './limits';
import { byId, decodeCursor, DEFAULT_LIMIT, encodeCursor, ListOrder, newestFirst, PaginationQueryDto, readPage } from './pagination';
import { ProblemException } from './problem';

/** As the global ValidationPipe sees a query string: every value a string (or an array when repeated). */
const parse = (query: Record<string, unknown>) => {
  const dto = plainToInstance(PaginationQueryDto, query);
  return { dto, errors: validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }) };
};

describe('PaginationQueryDto', () => {
  it('reads plain decimal digits and defaults what is missing', () => {
    expect(parse({ limit: '10', offset: '007' })).toEqual({ dto: expect.objectContaining({ limit: 10, offset: 7 }), errors: [] });
    expect(parse({}).dto).toEqual(expect.objectContaining({ limit: DEFAULT_LIMIT, offset: 0 }));
  });

  it.each(['0x10', '1e1', '10.0', '-1', '+5', ' 5', '', '1_0', 'Infinity', '12345678901', ['5', '6']])(
    'refuses limit=%p and offset=%p',
    (value) => {
      expect(parse({ limit: value }).errors.map((e) => e.property)).toEqual(['limit']);
      expect(parse({ offset: value }).errors.map((e) => e.property)).toEqual(['offset']);
    },
  );

  it('takes after with no offset or offset 0, and refuses it with any other offset', () => {
    expect(parse({ after: 'abc' }).errors).toEqual([]);
    expect(parse({ after: 'abc', offset: '0' }).errors).toEqual([]);
    const { errors } = parse({ after: 'abc', offset: '20' });
    expect(errors.map((e) => [e.property, Object.keys(e.constraints ?? {})])).toEqual([['offset', ['zeroWithCursor']]]);
    expect(parse({ offset: '20' }).errors).toEqual([]);
  });

  it('refuses a repeated after (an array) as the wrong type', () => {
    expect(parse({ after: ['a', 'b'] }).errors.map((e) => e.property)).toEqual(['after']);
  });
});

describe('cursor codec', () => {
  interface Row {
    id: number;
    createdAt: Date;
    level: number;
  }
  const newest = newestFirst<Row>('things');
  const leveled: ListOrder<Row> = {
    list: 'levels',
    direction: 'ASC',
    keys: [
      { property: 'level', kind: 'integer' },
      { property: 'id', kind: 'id' },
    ],
  };
  const raw = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

  /** The refusal a bad cursor gets: 400 INVALID_CURSOR naming the `after` field. */
  function refusal(order: ListOrder<Row>, cursor: string): ProblemException {
    try {
      decodeCursor(order, cursor);
    } catch (error) {
      expect(error).toBeInstanceOf(ProblemException);
      return error as ProblemException;
    }
    throw new Error(`accepted ${cursor}`);
  }
  const expectRefused = (order: ListOrder<Row>, cursor: string) => {
    const error = refusal(order, cursor);
    expect([error.getStatus(), error.code]).toEqual([400, 'INVALID_CURSOR']);
    expect(error.errors).toEqual([{ field: 'after', message: expect.any(String) }]);
  };

  it('gives back the sort keys it encoded, for each kind of key', () => {
    const keys = ['2026-11-25T10:00:00.123Z', 42];
    const cursor = encodeCursor(newest, keys);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(newest, cursor)).toEqual(keys);
    // a time SQLite holds in whole seconds (TypeORM's column default) keeps that form: see cursorValue
    expect(decodeCursor(newest, encodeCursor(newest, ['2026-11-25T10:00:00Z', 42]))).toEqual(['2026-11-25T10:00:00Z', 42]);
    expect(decodeCursor(leveled, encodeCursor(leveled, [0, 1]))).toEqual([0, 1]);
    expect(decodeCursor(leveled, encodeCursor(leveled, [-5, MAX_ID]))).toEqual([-5, MAX_ID]);
    expect(decodeCursor(byId<Row>('ids', 'DESC'), encodeCursor(byId<Row>('ids'), [7]))).toEqual([7]);
  });

  it('is base64url of JSON naming the list, so a client may read it but the server decides what it accepts', () => {
    expect(JSON.parse(Buffer.from(encodeCursor(newest, ['2026-11-25T10:00:00.000Z', 42]), 'base64url').toString())).toEqual({
      list: 'things',
      keys: ['2026-11-25T10:00:00.000Z', 42],
    });
  });

  it.each([
    ['empty', ''],
    ['with a percent sign', '%ZZ'],
    ['with a space', 'ab c'],
    ['with a plus', 'ab+c'],
    ['with a slash', 'ab/c'],
    ['with padding', `${raw({ list: 'things', keys: ['2026-11-25T10:00:00.000Z', 42] })}=`],
    ['base64 of no JSON', raw('not json at all')],
    ['garbage base64', 'AAAA'],
    ['JSON but not an object', raw([1, 2])],
    ['JSON null', raw(null)],
    ['no keys', raw({ list: 'things' })],
    ['keys not an array', raw({ list: 'things', keys: 'x' })],
    ['too few keys', raw({ list: 'things', keys: ['2026-11-25T10:00:00.000Z'] })],
    ['too many keys', raw({ list: 'things', keys: ['2026-11-25T10:00:00.000Z', 1, 2] })],
    ['keys in the wrong order', raw({ list: 'things', keys: [42, '2026-11-25T10:00:00.000Z'] })],
    ['a timestamp with a one-digit fraction', raw({ list: 'things', keys: ['2026-11-25T10:00:00.5Z', 42] })],
    ['a timestamp with microseconds', raw({ list: 'things', keys: ['2026-11-25T10:00:00.000001Z', 42] })],
    ['a timestamp without a zone', raw({ list: 'things', keys: ['2026-11-25T10:00:00.000', 42] })],
    ['a date that does not exist, without milliseconds', raw({ list: 'things', keys: ['2026-02-30T10:00:00Z', 42] })],
    ['a time that does not exist', raw({ list: 'things', keys: ['2026-11-25T24:00:00.000Z', 42] })],
    ['a timestamp with an offset', raw({ list: 'things', keys: ['2026-11-25T10:00:00.000+01:00', 42] })],
    ['a date that does not exist', raw({ list: 'things', keys: ['2026-02-30T10:00:00.000Z', 42] })],
    ['a number as the timestamp', raw({ list: 'things', keys: [1764000000000, 42] })],
    ['an id of 0', raw({ list: 'things', keys: ['2026-11-25T10:00:00.000Z', 0] })],
    ['a negative id', raw({ list: 'things', keys: ['2026-11-25T10:00:00.000Z', -1] })],
    ['an id beyond MAX_ID', raw({ list: 'things', keys: ['2026-11-25T10:00:00.000Z', MAX_ID + 1] })],
    ['a huge number', raw('{"list":"things","keys":["2026-11-25T10:00:00.000Z",1e400]}')],
    ['a fractional id', raw({ list: 'things', keys: ['2026-11-25T10:00:00.000Z', 1.5] })],
    ['an id as a string', raw({ list: 'things', keys: ['2026-11-25T10:00:00.000Z', '42'] })],
    ['null keys', raw({ list: 'things', keys: [null, null] })],
    ['an extra field', raw({ list: 'things', keys: ['2026-11-25T10:00:00.000Z', 42], admin: true })],
    ['fields in another order', raw({ keys: ['2026-11-25T10:00:00.000Z', 42], list: 'things' })],
    ['white space in the JSON', raw('{"list": "things", "keys": ["2026-11-25T10:00:00.000Z", 42]}')],
    ['another list', encodeCursor(byId<Row>('others'), [42])],
    ['another list with the same keys', encodeCursor(newestFirst<Row>('others'), ['2026-11-25T10:00:00.000Z', 42])],
    ['longer than any cursor', 'A'.repeat(513)],
  ])('refuses a cursor %s with 400 INVALID_CURSOR', (_case, cursor) => expectRefused(newest, cursor));

  it.each([
    ['a quantity beyond a 32-bit integer', [2 ** 31, 1]],
    ['a fractional quantity', [0.5, 1]],
    ['a quantity as a string', ['3', 1]],
  ])('refuses %s', (_case, keys) => expectRefused(leveled, raw({ list: 'levels', keys })));
});

describe('readPage', () => {
  let dataSource: DataSource;
  const newest = newestFirst<Order>('orders');

  beforeAll(async () => {
    dataSource = await inMemoryDataSource();
    await dataSource.query("INSERT INTO customers (name, email, email_key) VALUES ('Ada', 'ada@example.com', 'ada@example.com')");
    await dataSource.query("INSERT INTO customers (name, email, email_key) VALUES ('Bob', 'bob@example.com', 'bob@example.com')");
    // ties on created_at in pairs, so that the id decides within each
    for (let n = 0; n < 12; n++) {
      await dataSource.query('INSERT INTO orders (customer_id, status, total_cents, created_at) VALUES (?, ?, 100, ?)', [
        1 + (n % 2),
        ['pending', 'shipped', 'cancelled'][n % 3],
        `2026-01-01 00:00:0${Math.floor(n / 2)}.250`,
      ]);
    }
  });
  afterAll(() => dataSource.destroy());

  type Filter = (qb: SelectQueryBuilder<Order>) => SelectQueryBuilder<Order>;
  /** The same list as TypeORM reads it whole, each time with its own SQL. */
  const expected = (filter: Filter) =>
    filter(dataSource.getRepository(Order).createQueryBuilder('o')).orderBy('o.createdAt', 'DESC').addOrderBy('o.id', 'DESC').getMany();
  const page = (filter: Filter, query: Partial<PaginationQueryDto>) =>
    readPage(filter(dataSource.getRepository(Order).createQueryBuilder('o')), { limit: 3, offset: 0, ...query }, newest, 'unused');

  // the same parameter names under other conditions, and the same conditions with other values: a cache keyed on
  // anything less than the conditions' text would answer one of these with another's SQL
  const filters: [string, Filter][] = [
    ['no filter', (qb) => qb],
    ['pending', (qb) => qb.andWhere('o.status = :status', { status: 'pending' })],
    ['not pending', (qb) => qb.andWhere('o.status <> :status', { status: 'pending' })],
    ['shipped', (qb) => qb.andWhere('o.status = :status', { status: 'shipped' })],
    ['customer 2', (qb) => qb.andWhere('o.customerId = :customerId', { customerId: 2 })],
    [
      'customer 1, not cancelled',
      (qb) => qb.andWhere('o.customerId = :customerId', { customerId: 1 }).andWhere('o.status <> :status', { status: 'cancelled' }),
    ],
    [
      'pending or customer 2',
      (qb) => qb.andWhere('(o.status = :status OR o.customerId = :customerId)', { status: 'pending', customerId: 2 }),
    ],
  ];

  it('answers every filter shape with its own SQL and values, whichever shape ran before', async () => {
    // twice round, so that the second reads every shape from what the first built
    for (const round of [1, 2]) {
      for (const [name, filter] of filters) {
        const all = await expected(filter);
        const first = await page(filter, {});
        const offset = await page(filter, { offset: 2 });
        const next = first.nextCursor ? await page(filter, { after: first.nextCursor }) : undefined;
        expect({ round, name, first: first.rows, offset: offset.rows, next: next?.rows, total: first.total }).toEqual({
          round,
          name,
          first: all.slice(0, 3),
          offset: all.slice(2, 5),
          next: all.length > 3 ? all.slice(3, 6) : undefined,
          total: all.length,
        });
      }
    }
  });

  it('reads the rows as getMany hydrates them', async () => {
    const { rows } = await page((qb) => qb, { limit: 12 });
    expect(rows.every((row) => row instanceof Order && typeof row.totalCents === 'number' && row.createdAt instanceof Date)).toBe(true);
    expect(rows).toEqual(await expected((qb) => qb));
  });
});
