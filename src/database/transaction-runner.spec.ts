import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { isRetryable, TransactionRunner } from './transaction-runner';

const deadlock = () => new QueryFailedError('UPDATE …', [], Object.assign(new Error('Deadlock found'), { errno: 1213, code: 'ER_LOCK_DEADLOCK' }));
const duplicate = () => new QueryFailedError('INSERT …', [], Object.assign(new Error('Duplicate'), { errno: 1062 }));

function fakeDataSource(type: string, outcomes: (() => unknown)[]) {
  const calls = { count: 0 };
  const dataSource = {
    options: { type },
    transaction: jest.fn(async (work: (m: EntityManager) => Promise<unknown>) => {
      const outcome = outcomes[calls.count++];
      if (outcome) return outcome();
      return work({} as EntityManager);
    }),
  } as unknown as DataSource;
  return { dataSource, calls };
}

describe('TransactionRunner', () => {
  it('retries the whole transaction after a deadlock and returns the result', async () => {
    const { dataSource, calls } = fakeDataSource('mysql', [() => { throw deadlock(); }, () => { throw deadlock(); }]);
    const sut = new TransactionRunner(dataSource);
    await expect(sut.run(async () => 'done')).resolves.toBe('done');
    expect(calls.count).toBe(3);
  });

  it('gives up after a bounded number of attempts', async () => {
    const { dataSource, calls } = fakeDataSource('mysql', Array.from({ length: 20 }, () => () => { throw deadlock(); }));
    const sut = new TransactionRunner(dataSource);
    await expect(sut.run(async () => 'never')).rejects.toBeInstanceOf(QueryFailedError);
    expect(calls.count).toBe(6);
  });

  it('does not retry other errors', async () => {
    const { dataSource, calls } = fakeDataSource('mysql', [() => { throw duplicate(); }]);
    await expect(new TransactionRunner(dataSource).run(async () => 'x')).rejects.toBeInstanceOf(QueryFailedError);
    expect(calls.count).toBe(1);
  });

  it('on SQLite runs one transaction at a time, in order, even when one fails', async () => {
    const { dataSource } = fakeDataSource('better-sqlite3', []);
    const sut = new TransactionRunner(dataSource);
    let active = 0;
    let maxActive = 0;
    const order: number[] = [];
    const work = (n: number, fail = false) => async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(n);
      active--;
      if (fail) throw new Error('boom');
      return n;
    };
    const results = await Promise.allSettled([sut.run(work(1)), sut.run(work(2, true)), sut.run(work(3))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(order).toEqual([1, 2, 3]);
    expect(maxActive).toBe(1);
  });

  it.each([
    [{ driverError: { errno: 1213 } }, true],
    [{ driverError: { errno: 1205 } }, true],
    [{ driverError: { code: 'SQLITE_BUSY' } }, true],
    [{ driverError: { errno: 1062 } }, false],
    [new Error('plain'), false],
  ])('isRetryable(%p) = %p', (error, expected) => expect(isRetryable(error)).toBe(expected));
});
