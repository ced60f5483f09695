import { formatDuration, parseDurationList, parseDurationMs } from './duration';

describe('durations', () => {
  it('reads milliseconds, seconds, minutes, hours and days', () => {
    expect(['100ms', '5s', '5m', '2h', '5d'].map(parseDurationMs)).toEqual([100, 5000, 300_000, 7_200_000, 432_000_000]);
  });

  it('refuses what is not one whole number with a unit', () => {
    expect(['', '5', '1.5s', '-5s', '5 s', '5w', 's', '5sm'].map(parseDurationMs)).toEqual(Array(8).fill(undefined));
  });

  it('reads lists, with spaces around commas, and refuses a list with a bad item', () => {
    expect(parseDurationList('5s,5m,30m,2h,5h,10h,10h')).toEqual([5000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(parseDurationList('100ms, 100ms')).toEqual([100, 100]);
    expect(parseDurationList('5s,,5m')).toBeUndefined();
    expect(parseDurationList('5s,soon')).toBeUndefined();
  });

  it('writes a duration back in its largest exact unit', () => {
    expect([432_000_000, 7_200_000, 90_000, 1500, 100].map(formatDuration)).toEqual(['5d', '2h', '90s', '1500ms', '100ms']);
  });
});
