import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DEFAULT_LIMIT, PaginationQueryDto } from './pagination';

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
});
