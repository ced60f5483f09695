import { ParseIdPipe } from './parse-id.pipe';
import { ProblemException } from './problem';

describe('ParseIdPipe', () => {
  const sut = new ParseIdPipe();

  it.each([
    ['1', 1],
    ['42', 42],
    ['2147483647', 2147483647],
  ])('accepts %s', (raw, id) => expect(sut.transform(raw)).toBe(id));

  it.each(['abc', '0', '-1', '1.5', '1e3', '01', ' 1', '2147483648', '', '0x10'])('refuses %p with 400 INVALID_ID', (raw) => {
    expect(() => sut.transform(raw)).toThrow(ProblemException);
    try {
      sut.transform(raw);
    } catch (error) {
      expect((error as ProblemException).getStatus()).toBe(400);
      expect((error as ProblemException).code).toBe('INVALID_ID');
    }
  });
});
