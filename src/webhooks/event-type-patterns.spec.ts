import { EVENT_TYPE_PATTERNS, matchesAny } from './event-type-patterns';

describe('event type patterns', () => {
  it('offers everything, each kind and each exact type', () => {
    expect(EVENT_TYPE_PATTERNS).toEqual(
      expect.arrayContaining(['*', 'order.*', 'stock.*', 'product.*', 'customer.*', 'order.created', 'stock.low']),
    );
  });

  it('matches exact types, whole kinds and everything, and nothing else', () => {
    expect(matchesAny(['*'], 'stock.low')).toBe(true);
    expect(matchesAny(['order.*'], 'order.status_changed')).toBe(true);
    expect(matchesAny(['order.*'], 'stock.changed')).toBe(false);
    expect(matchesAny(['stock.low', 'customer.*'], 'stock.low')).toBe(true);
    expect(matchesAny(['stock.low'], 'stock.changed')).toBe(false);
    // a kind's prefix must end at the dot
    expect(matchesAny(['order.*'], 'orders.created')).toBe(false);
  });
});
