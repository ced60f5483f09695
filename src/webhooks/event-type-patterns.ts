import { EVENT_TYPES } from '../events/event';

/** `order`, `stock`, … : the part of each event type before the dot. */
const CATEGORIES = [...new Set(EVENT_TYPES.map((type) => type.split('.')[0]))];

/** What an endpoint may subscribe to: every event (`*`), a whole category (`order.*`), or exact types. */
export const EVENT_TYPE_PATTERNS = ['*', ...CATEGORIES.map((category) => `${category}.*`), ...EVENT_TYPES];

export function matchesAny(patterns: readonly string[], type: string): boolean {
  return patterns.some(
    (pattern) => pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))),
  );
}
