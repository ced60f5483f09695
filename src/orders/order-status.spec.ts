import { CANCELLABLE, canMove, nextStatuses, ORDER_STATUSES, OrderStatus, statusesBefore } from './order-status';

describe('order status machine', () => {
  const legal: [OrderStatus, OrderStatus][] = [
    ['pending', 'processing'],
    ['processing', 'shipped'],
    ['shipped', 'delivered'],
    ['pending', 'cancelled'],
    ['processing', 'cancelled'],
  ];

  it('allows exactly the contract moves', () => {
    const allowed = ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.filter((to) => canMove(from, to)).map((to) => [from, to]));
    expect(allowed.sort()).toEqual([...legal].sort());
  });

  it.each([
    ['pending', 'shipped'],
    ['pending', 'delivered'],
    ['processing', 'pending'],
    ['shipped', 'cancelled'],
    ['delivered', 'cancelled'],
    ['cancelled', 'pending'],
    ['pending', 'pending'],
  ] as [OrderStatus, OrderStatus][])('refuses %s → %s', (from, to) => expect(canMove(from, to)).toBe(false));

  it('ends at delivered and cancelled', () => {
    expect(nextStatuses('delivered')).toEqual([]);
    expect(nextStatuses('cancelled')).toEqual([]);
  });

  it('names the statuses from which a move is legal', () => {
    expect(statusesBefore('shipped')).toEqual(['processing']);
    expect(statusesBefore('cancelled')).toEqual(['pending', 'processing']);
    expect(statusesBefore('pending')).toEqual([]);
    expect(CANCELLABLE).toEqual(['pending', 'processing']);
  });
});
