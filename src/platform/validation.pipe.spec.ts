import type { ArgumentMetadata, Type } from '@nestjs/common';
import { parse as parseQueryString } from 'fast-querystring';
import { MAX_ID, MAX_LINE_QUANTITY, MAX_LINES } from '../common/limits';
import { MAX_LIMIT, PaginationQueryDto } from '../common/pagination';
import { ProblemException } from '../common/problem';
import { ListCustomersQueryDto } from '../customers/dto/list-customers.dto';
import { CreateOrderDto, OrderLineDto } from '../orders/dto/create-order.dto';
import { ListOrdersQueryDto } from '../orders/dto/list-orders-query.dto';
import { ORDER_STATUSES } from '../orders/order-status';
import { type Recogniser, validationFastPaths } from './validation-fast-path';
import { createValidationPipe } from './validation.pipe';

/** A small seeded generator (mulberry32): the corpus is the same on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A copy that keeps what the pipe may look at: prototypes (a query object has none), holes in arrays and own
 * `__proto__` keys (JSON.parse makes them). The pipe changes its input in place (it strips `__proto__` keys and
 * closes holes), so each run gets its own copy.
 */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (const key of Object.keys(value)) out[Number(key)] = copy(value[Number(key)]);
    return out;
  }
  if (typeof value !== 'object' || value === null) return value;
  const out = Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>;
  for (const [key, item] of Object.entries(value)) Object.defineProperty(out, key, { value: copy(item), enumerable: true, writable: true });
  return out;
}

/** A value as a tree of prototypes and own properties, so that toEqual compares classes, nested ones too, and -0. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return { array: Array.from(value, shape) };
  if (typeof value !== 'object' || value === null) return value;
  const prototype = Object.getPrototypeOf(value) as { constructor?: unknown } | null;
  const own = Reflect.ownKeys(value).map((key) => [String(key), shape((value as Record<PropertyKey, unknown>)[key])]);
  return { class: prototype === null ? null : prototype.constructor, own: Object.fromEntries(own) };
}

type Outcome = { value: unknown } | { thrown: unknown };

async function outcome(
  pipe: { transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> },
  input: unknown,
  metadata: ArgumentMetadata,
) {
  try {
    return { value: shape(await pipe.transform(copy(input), metadata)) };
  } catch (error) {
    if (!(error instanceof ProblemException)) return { thrown: String(error) };
    return { thrown: { status: error.getStatus(), code: error.code, detail: error.message, errors: error.errors } };
  }
}

const withFastPaths = createValidationPipe();
const without = createValidationPipe(new Map());

/**
 * Runs every input through the recogniser and through the pipe with and without the fast paths, and returns
 * what differs: an input the recogniser takes must be one the pipe alone takes, to a deep-equal instance, and
 * the pipe must answer every input the same either way. Also how many inputs the recogniser took.
 */
async function compare(metatype: Type, type: 'body' | 'query', corpus: unknown[], recognise = validationFastPaths.get(metatype)!) {
  const metadata: ArgumentMetadata = { type, metatype, data: undefined };
  const fast = recognise === validationFastPaths.get(metatype) ? withFastPaths : createValidationPipe(new Map([[metatype, recognise]]));
  const differences: { input: unknown; problem: string }[] = [];
  let recognised = 0;
  for (const input of corpus) {
    const expected: Outcome = await outcome(without, input, metadata);
    const recognisedAs = recognise(copy(input));
    if (recognisedAs !== undefined) {
      recognised++;
      if (!('value' in expected)) differences.push({ input, problem: `recognised, but the pipe refuses it: ${JSON.stringify(expected)}` });
      else if (!equal(shape(recognisedAs), expected.value)) differences.push({ input, problem: 'recognised as another instance' });
    }
    if (!equal(await outcome(fast, input, metadata), expected))
      differences.push({ input, problem: 'the pipe answers otherwise with the fast path' });
  }
  return { differences, recognised };
}

function equal(actual: unknown, expected: unknown): boolean {
  try {
    expect(actual).toEqual(expected);
    return true;
  } catch {
    return false;
  }
}

describe('the validation fast paths', () => {
  const rnd = random(13);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rnd() * values.length)];
  const chance = (p: number) => rnd() < p;
  const between = (min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));
  const nullPrototype = (record: Record<string, unknown>) => Object.assign(Object.create(null) as Record<string, unknown>, record);

  describe('CreateOrderDto', () => {
    const ids = [1, 2, 7, 42, 1e3, MAX_ID - 1, MAX_ID];
    const quantities = [1, 2, 3, 99, MAX_LINE_QUANTITY - 1, MAX_LINE_QUANTITY];
    /** Everything that is not a valid number in a body; for quantities, ids beyond MAX_LINE_QUANTITY too. */
    const junk = [0, -1, -0, 0.5, 1.5, 2 ** 31, 2 ** 53, 1e300, Infinity, -Infinity, NaN, '1', '7', '', ' 1', '1e3', null, true, false];
    const nested = [[], [1], {}, { id: 1 }, [{ product_id: 1, quantity: 1 }]];
    const notId = [...junk, ...nested, MAX_ID + 1];
    const notQuantity = [...notId, MAX_LINE_QUANTITY + 1, MAX_ID];

    const validLine = () => ({ product_id: pick(ids), quantity: pick(quantities) });
    const validLines = (count: number) => Array.from({ length: count }, validLine);
    const validBody = (): Record<string, unknown> => ({
      customer_id: pick(ids),
      items: validLines(chance(0.05) ? MAX_LINES : between(1, 5)),
    });

    function line(): unknown {
      switch (between(0, 11)) {
        case 0:
          return { product_id: pick(notId), quantity: pick(quantities) };
        case 1:
          return { product_id: pick(ids), quantity: pick(notQuantity) };
        case 2:
          return { quantity: pick(quantities) };
        case 3:
          return { product_id: pick(ids) };
        case 4:
          return { ...validLine(), [pick(['price', 'PRODUCT_ID', 'constructor', 'note'])]: pick([1, null, 'x']) };
        case 5:
          return pick([null, 'x', 7, [], [1, 2], true]);
        case 6:
          return { product_id: pick(nested), quantity: pick(nested) };
        case 7:
          return nullPrototype(validLine());
        case 8:
          return { quantity: pick(quantities), product_id: pick(ids) };
        case 9:
          return { product_id: undefined, quantity: pick(quantities) };
        default:
          return validLine();
      }
    }

    function items(): unknown {
      switch (between(0, 9)) {
        case 0:
          return [];
        case 1:
          return validLines(MAX_LINES + 1);
        case 2:
          return pick([null, {}, 'items', 1, { 0: validLine(), length: 1 }, validLine()]);
        case 3: {
          const sparse: unknown[] = new Array(2);
          sparse[1] = validLine();
          return sparse;
        }
        case 4:
          return [...validLines(between(0, 3)), line(), ...validLines(between(0, 3))];
        default:
          return Array.from({ length: between(1, 4) }, line);
      }
    }

    function body(): unknown {
      if (chance(0.4)) return validBody();
      switch (between(0, 9)) {
        case 0:
          return { ...validBody(), customer_id: pick(notId) };
        case 1:
          return { customer_id: pick(ids), items: items() };
        case 2:
          return { items: validLines(1) };
        case 3:
          return { customer_id: pick(ids) };
        case 4:
          return { ...validBody(), [pick(['currency', 'CUSTOMER_ID', 'constructor', 'toString', 'id'])]: pick([1, null, 'EUR', {}]) };
        case 5:
          return pick([undefined, null, '', 'order', 1, true, [], [validBody()]]);
        case 6:
          return pick([nullPrototype(validBody()), Object.assign(Object.create({ currency: 'EUR' }) as object, validBody())]);
        case 7:
          return { items: validLines(2), customer_id: pick(ids) };
        case 8:
          return { customer_id: pick(notId), items: items() };
        default:
          return { customer_id: undefined, items: validLines(1) };
      }
    }

    /** Bodies as Fastify parses them, with what JSON alone can say: exponents, 1.0, -0, an own __proto__, a repeated key. */
    const json = [
      '{"customer_id":1e3,"items":[{"product_id":1.0,"quantity":2e0}]}',
      '{"customer_id":-0,"items":[{"product_id":1,"quantity":1}]}',
      '{"customer_id":1,"items":[{"product_id":-0,"quantity":1}]}',
      '{"customer_id":1,"items":[{"product_id":1,"quantity":1e1}]}',
      '{"customer_id":1,"items":[{"product_id":1,"quantity":1.5e1}]}',
      '{"customer_id":1,"items":[{"product_id":1,"quantity":1e-1}]}',
      '{"customer_id":2147483647.0,"items":[{"product_id":1,"quantity":10000}]}',
      '{"customer_id":2147483648,"items":[{"product_id":1,"quantity":1}]}',
      '{"customer_id":1e309,"items":[{"product_id":1,"quantity":1}]}',
      '{"customer_id":99999999999999999999,"items":[{"product_id":1,"quantity":1}]}',
      '{"__proto__":{"admin":true},"customer_id":1,"items":[{"product_id":1,"quantity":1}]}',
      '{"customer_id":1,"items":[{"__proto__":{"x":1},"product_id":1,"quantity":1}]}',
      '{"customer_id":1,"customer_id":2,"items":[{"product_id":1,"quantity":1}]}',
      '{"customer_id":1,"items":[{"product_id":1,"quantity":1}],"items":[]}',
      '{"customer_id":null,"items":null}',
      '{"customer_id":1,"items":[null]}',
      '{"customer_id":1,"items":[[]]}',
    ].map((text) => JSON.parse(text) as unknown);

    it('recognises the ordinary valid bodies', () => {
      const recognise = validationFastPaths.get(CreateOrderDto)!;
      const ordinary = [
        { customer_id: 1, items: [{ product_id: 7, quantity: 2 }] },
        {
          customer_id: 12,
          items: [
            { product_id: 7, quantity: 2 },
            { product_id: 9, quantity: 1 },
          ],
        },
        { items: [{ quantity: 1, product_id: 3 }], customer_id: MAX_ID },
        { customer_id: 1, items: validLines(MAX_LINES) },
      ];
      for (const input of ordinary) expect(recognise(input)).toBeInstanceOf(CreateOrderDto);
      expect((recognise(ordinary[0]) as CreateOrderDto).items[0]).toBeInstanceOf(OrderLineDto);
    });

    it('answers every body of a large corpus exactly as class-validator does', async () => {
      const corpus = [...json, ...Array.from({ length: 2500 }, body)];
      const { differences, recognised } = await compare(CreateOrderDto, 'body', corpus);
      expect(differences).toEqual([]);
      // the corpus exercises both ways
      expect(recognised).toBeGreaterThan(corpus.length * 0.3);
      expect(recognised).toBeLessThan(corpus.length * 0.7);
    });
  });

  describe('query DTOs', () => {
    const ints = ['0', '1', '2', '20', '99', '100', '101', '00', '007', '0000000001', '1000000000', '1000000001'];
    const ids = ['0', '00', '1', '7', '2147483647', '2147483648', '9999999999', '10000000000', '01'];
    const badInts = [
      '-0',
      '-1',
      '+5',
      '1e1',
      '1E1',
      '1.0',
      '1.',
      '.5',
      '0x10',
      '0b1',
      ' 5',
      '5 ',
      '',
      '1_0',
      'Infinity',
      'NaN',
      'abc',
      '٣',
    ];
    const cursors = ['abc', '', ' abc ', 'abc\n', 'eyJsaXN0Ijoib3JkZXJzIiwia2V5cyI6WzFdfQ', 'a'.repeat(600), '!!'];
    const statuses = [...ORDER_STATUSES, 'PENDING', 'Pending', ' pending', '', 'unknown', 'constructor', 'toString'];
    const repeated = (values: readonly string[]) => [pick(values), pick(values)];
    const value = (values: readonly string[]) => (chance(0.08) ? repeated(values) : pick(values));
    // as Fastify's query parser makes them (its objects inherit from an empty prototype-less object), or without a prototype
    const query = (record: Record<string, unknown>) =>
      chance(0.6) ? Object.assign(parseQueryString(''), record) : chance(0.5) ? nullPrototype(record) : record;

    /** Every parameter sent or not, with ordinary and hostile values; filters and unknown parameters now and then. */
    function randomQuery(): Record<string, unknown> {
      const record: Record<string, unknown> = {};
      if (chance(0.6)) record.limit = value(chance(0.8) ? ints : badInts);
      if (chance(0.5)) record.offset = value(chance(0.8) ? ints : badInts);
      if (chance(0.3)) record.after = value(cursors);
      if (chance(0.4)) record.status = value(statuses);
      if (chance(0.4)) record.customer_id = value(chance(0.8) ? ids : badInts);
      if (chance(0.1))
        record[pick(['sort', 'page', 'LIMIT', 'constructor', '__proto__', 'hasOwnProperty', 'limit[]'])] = pick(['1', '', 'x']);
      return query(record);
    }

    /** limit × offset × after, each absent or of a few telling values, in both kinds of query object. */
    const grid = ['', '0', '1', '20', '100', '101', '1e1', '-0'].flatMap((limit) =>
      ['', '0', '00', '5', '1000000000', '1000000001', '-1'].flatMap((offset) =>
        [undefined, 'abc', ''].flatMap((after) => {
          const record: Record<string, unknown> = {};
          if (limit) record.limit = limit;
          if (offset) record.offset = offset;
          if (after !== undefined) record.after = after;
          return [record, nullPrototype(record)];
        }),
      ),
    );
    const filters = statuses.flatMap((status) =>
      [undefined, ...ids, ...badInts].map((id) => nullPrototype(id === undefined ? { status } : { status, customer_id: id })),
    );
    const corpus = [{}, nullPrototype({}), ...grid, ...filters, ...Array.from({ length: 2500 }, randomQuery)];

    it('recognises the ordinary valid queries', () => {
      const ordinary = [
        {},
        { limit: '20' },
        { limit: '20', offset: '40' },
        { after: 'abc' },
        { after: 'abc', offset: '0' },
        { limit: String(MAX_LIMIT) },
      ];
      for (const [metatype, extra] of [
        [PaginationQueryDto, []],
        [ListOrdersQueryDto, [{ status: 'pending' }, { customer_id: '7', status: 'shipped', limit: '10' }]],
      ] as const) {
        const recognise = validationFastPaths.get(metatype)!;
        for (const input of [...ordinary, ...extra]) expect(recognise(nullPrototype(input))).toBeInstanceOf(metatype);
        // a query as Fastify parses it, which is what a request brings
        expect(recognise(parseQueryString('limit=20&offset=40'))).toBeInstanceOf(metatype);
      }
      expect(validationFastPaths.get(PaginationQueryDto)!(nullPrototype({}))).toEqual(expect.objectContaining({ limit: 20, offset: 0 }));
    });

    it.each([
      ['PaginationQueryDto', PaginationQueryDto],
      ['ListOrdersQueryDto', ListOrdersQueryDto],
    ] as const)('answers every query of a large corpus to %s exactly as class-validator does', async (_name, metatype) => {
      const { differences, recognised } = await compare(metatype, 'query', corpus);
      expect(differences).toEqual([]);
      expect(recognised).toBeGreaterThan(corpus.length * 0.1);
    });

    it('leaves a subclass to the pipe: its own fields are not known to its parent’s recogniser', async () => {
      expect(validationFastPaths.has(ListCustomersQueryDto)).toBe(false);
      const metadata: ArgumentMetadata = { type: 'query', metatype: ListCustomersQueryDto, data: undefined };
      const dto = await withFastPaths.transform(nullPrototype({ limit: '5', search: 'ada' }), metadata);
      expect(dto).toBeInstanceOf(ListCustomersQueryDto);
      expect(dto).toEqual(expect.objectContaining({ limit: 5, offset: 0, search: 'ada' }));
    });
  });

  it('would catch a recogniser that accepts what class-validator refuses', async () => {
    const recognisePage = validationFastPaths.get(PaginationQueryDto)!;
    // takes limit=0, which @Min(1) refuses
    const sloppy: Recogniser = (input) =>
      recognisePage({ ...(input as object), limit: '1' }) && Object.assign(new PaginationQueryDto(), { limit: 0 });
    const { differences } = await compare(PaginationQueryDto, 'query', [nullPrototype({ limit: '0' })], sloppy);
    expect(differences.map((difference) => difference.problem)).toEqual([
      expect.stringContaining('recognised, but the pipe refuses it'),
      'the pipe answers otherwise with the fast path',
    ]);
  });
});
