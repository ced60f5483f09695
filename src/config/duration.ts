/** Durations in configuration: a whole number with a unit, `100ms`, `5s`, `5m`, `2h`, `5d`. */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const DURATION = /^(\d{1,9})(ms|s|m|h|d)$/;

/** Milliseconds in `5s`, `100ms`, `2h`…; undefined if the text is not one duration. */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  return match ? Number(match[1]) * UNIT_MS[match[2]] : undefined;
}

/** `5s,5m,30m` as milliseconds; undefined if any item is not a duration. */
export function parseDurationList(text: string): number[] | undefined {
  const items = text.split(',').map(parseDurationMs);
  return items.every((ms): ms is number => ms !== undefined) ? items : undefined;
}

/** The shortest way to write a number of milliseconds as a duration: 432000000 → `5d`, 1500 → `1500ms`. */
export function formatDuration(ms: number): string {
  const [unit, size] = Object.entries(UNIT_MS)
    .reverse()
    .find(([, size]) => ms % size === 0)!;
  return `${ms / size}${unit}`;
}
