import { Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { type Actor, systemActor, UNATTRIBUTED } from '../common/actor';
import { OutboxEvent } from '../events/entities/outbox-event.entity';
import type { NewEvent } from '../events/event';
import { actAs, enterRequest, runAs } from '../platform/request-context';
import { isRetryable } from './driver-errors';
import { inMemoryDataSource } from './in-memory-data-source';
import { MAX_ATTEMPTS, TransactionRunner, type Tx } from './transaction-runner';

const deadlock = () =>
  new QueryFailedError('UPDATE …', [], Object.assign(new Error('Deadlock found'), { errno: 1213, code: 'ER_LOCK_DEADLOCK' }));
const duplicate = () => new QueryFailedError('INSERT …', [], Object.assign(new Error('Duplicate'), { errno: 1062 }));
const event = (id: number): NewEvent => ({ type: 'customer.created', subject: { type: 'customer', id }, data: { id } });

/** Runs the work with `manager` (by default one that nothing may be asked of), or makes the outcome happen instead. */
function fakeDataSource(type: string, outcomes: (() => unknown)[], manager = {} as EntityManager) {
  const calls = { count: 0 };
  const dataSource = {
    options: { type },
    transaction: jest.fn(async (work: (m: EntityManager) => Promise<unknown>) => {
      const outcome = outcomes[calls.count++];
      if (outcome) return outcome();
      return work(manager);
    }),
  } as unknown as DataSource;
  return { dataSource, calls };
}

/** A migrated in-memory SQLite database whose manager stands in for the transaction's, and the events it holds. */
async function outboxDatabase() {
  const database = await inMemoryDataSource();
  // SQLite's driver runs every statement on its one query runner, whichever way the statement was built
  const query = jest.spyOn(database.driver.createQueryRunner('master'), 'query');
  return {
    manager: database.manager,
    outboxInserts: () => query.mock.calls.filter(([sql]) => /^INSERT INTO [`"]?events\b/.test(sql)),
    events: () => database.manager.find(OutboxEvent, { order: { id: 'ASC' } }),
    destroy: () => database.destroy(),
  };
}

/** Runs `work` as a request would: in a context of its own with this request id, after the guard named the caller. */
function inRequest<T>(requestId: string, actor: Actor, work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) =>
    setImmediate(() => {
      enterRequest(requestId);
      actAs(actor);
      work().then(resolve, reject);
    }),
  );
}

const customer7: Actor = { type: 'customer', id: 7 };
const warehouseKey: Actor = { type: 'api_key', id: 3, name: 'warehouse' };

describe('TransactionRunner', () => {
  it('retries the whole transaction after a deadlock and returns the result', async () => {
    const { dataSource, calls } = fakeDataSource('mysql', [
      () => {
        throw deadlock();
      },
      () => {
        throw deadlock();
      },
    ]);
    const sut = new TransactionRunner(dataSource);
    await expect(sut.run(async () => 'done')).resolves.toBe('done');
    expect(calls.count).toBe(3);
  });

  it('gives up after a bounded number of attempts', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0); // no waiting between the attempts
    const { dataSource, calls } = fakeDataSource(
      'mysql',
      Array.from({ length: 50 }, () => () => {
        throw deadlock();
      }),
    );
    const sut = new TransactionRunner(dataSource);
    await expect(sut.run(async () => 'never')).rejects.toBeInstanceOf(QueryFailedError);
    expect(calls.count).toBe(MAX_ATTEMPTS);
    jest.restoreAllMocks();
  });

  it('does not retry other errors', async () => {
    const { dataSource, calls } = fakeDataSource('mysql', [
      () => {
        throw duplicate();
      },
    ]);
    await expect(new TransactionRunner(dataSource).run(async () => 'x')).rejects.toBeInstanceOf(QueryFailedError);
    expect(calls.count).toBe(1);
  });

  it('writes the published events to the outbox in one INSERT inside the transaction', async () => {
    const database = await outboxDatabase();
    const { dataSource } = fakeDataSource('mysql', [], database.manager);
    await new TransactionRunner(dataSource).run(async (tx) => {
      await tx.publish(event(1));
      await tx.publish(event(2));
    });
    expect(database.outboxInserts()).toHaveLength(1);
    expect(await database.events()).toEqual([
      expect.objectContaining({
        eventId: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
        type: 'customer.created',
        subjectType: 'customer',
        subjectId: 1,
        data: '{"id":1}',
      }),
      expect.objectContaining({ subjectId: 2 }),
    ]);
    await database.destroy();
  });

  it('writes no event when the work fails', async () => {
    const database = await outboxDatabase();
    const { dataSource } = fakeDataSource('mysql', [], database.manager);
    const work = async (tx: { publish(e: NewEvent): Promise<void> }) => {
      await tx.publish(event(1));
      throw new Error('rolled back');
    };
    await expect(new TransactionRunner(dataSource).run(work)).rejects.toThrow('rolled back');
    expect(database.outboxInserts()).toHaveLength(0);
    expect(await database.events()).toEqual([]);
    await database.destroy();
  });

  it('runs the steps registered for an event type in the publishing transaction', async () => {
    const database = await outboxDatabase();
    const { dataSource } = fakeDataSource('mysql', [], database.manager);
    const sut = new TransactionRunner(dataSource);
    const step = jest.fn(async () => undefined);
    sut.onPublish('customer.deleted', step);
    await sut.run(async (tx) => {
      await tx.publish(event(1));
      await tx.publish({ type: 'customer.deleted', subject: { type: 'customer', id: 3 }, data: {} });
    });
    expect(step).toHaveBeenCalledTimes(1);
    expect(step).toHaveBeenCalledWith(
      expect.objectContaining({ manager: expect.anything() }),
      expect.objectContaining({ subject: { type: 'customer', id: 3 } }),
    );
    await database.destroy();
  });

  it('does not retry when the database is unreachable, so the client gets its 503 at once', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', fatal: true });
    const { dataSource, calls } = fakeDataSource('mysql', [
      () => {
        throw refused;
      },
    ]);
    await expect(new TransactionRunner(dataSource).run(async () => 'x')).rejects.toBe(refused);
    expect(calls.count).toBe(1);
  });

  it('on SQLite runs one transaction at a time, in order, even when one fails', async () => {
    const { dataSource } = fakeDataSource('better-sqlite3', []);
    const sut = new TransactionRunner(dataSource);
    let active = 0;
    let maxActive = 0;
    const order: number[] = [];
    const work =
      (n: number, fail = false) =>
      async () => {
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

  describe('the audit trail: who a unit of work is for', () => {
    let database: Awaited<ReturnType<typeof outboxDatabase>>;
    beforeEach(async () => (database = await outboxDatabase()));
    afterEach(() => database.destroy());
    const outboxRows = () => database.events();

    it("names the request's caller and id on its events, and hands the actor to the work", async () => {
      const { dataSource } = fakeDataSource('mysql', [], database.manager);
      const sut = new TransactionRunner(dataSource);
      const seen = await inRequest('req-42', customer7, () =>
        sut.run(async (tx) => {
          await tx.publish(event(1));
          return { actor: tx.actor, requestId: tx.requestId };
        }),
      );
      expect(seen).toEqual({ actor: customer7, requestId: 'req-42' });
      expect(await outboxRows()).toEqual([expect.objectContaining({ actor: customer7, requestId: 'req-42' })]);
    });

    it('keeps the actor an event names itself', async () => {
      const { dataSource } = fakeDataSource('mysql', [], database.manager);
      await inRequest('req-1', customer7, () =>
        new TransactionRunner(dataSource).run(async (tx) => {
          await tx.publish({ ...event(1), actor: warehouseKey });
          await tx.publish(event(2));
        }),
      );
      expect((await outboxRows()).map((row) => row.actor)).toEqual([warehouseKey, customer7]);
    });

    it('names the scheduled job, without a request id, for work it runs', async () => {
      const { dataSource } = fakeDataSource('mysql', [], database.manager);
      const sut = new TransactionRunner(dataSource);
      await runAs(systemActor('restock'), () => sut.run((tx) => tx.publish(event(1))));
      expect(await outboxRows()).toEqual([expect.objectContaining({ actor: { type: 'system', name: 'restock' }, requestId: null })]);
    });

    it('records work with no actor in context as unattributed, and says so once', async () => {
      const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const { dataSource } = fakeDataSource('mysql', [], database.manager);
      const sut = new TransactionRunner(dataSource);
      const actors: Actor[] = [];
      for (const n of [1, 2]) {
        await sut.run(async (tx) => {
          actors.push(tx.actor);
          await tx.publish(event(n));
        });
      }
      expect(actors).toEqual([UNATTRIBUTED, UNATTRIBUTED]);
      expect((await outboxRows()).map((row) => [row.actor, row.requestId])).toEqual([
        [UNATTRIBUTED, null],
        [UNATTRIBUTED, null],
      ]);
      expect(warned).toHaveBeenCalledTimes(1);
      expect(warned).toHaveBeenCalledWith(expect.stringContaining('customer.created was written with no actor in context'));
      warned.mockRestore();
    });

    it('on SQLite, work queued behind others keeps the actor and request of whoever submitted it', async () => {
      const { dataSource } = fakeDataSource('better-sqlite3', []);
      const sut = new TransactionRunner(dataSource);
      const slow = () => new Promise((resolve) => setTimeout(resolve, 5));
      const who = (tx: { actor: Actor; requestId: string | null }) => slow().then(() => [tx.actor, tx.requestId]);
      const results = await Promise.all([
        inRequest('req-a', customer7, () => sut.run(who)),
        inRequest('req-b', warehouseKey, () => sut.run(who)),
        runAs(systemActor('restock'), () => sut.run(who)),
      ]);
      expect(results).toEqual([
        [customer7, 'req-a'],
        [warehouseKey, 'req-b'],
        [systemActor('restock'), null],
      ]);
    });
  });

  describe('afterCommit', () => {
    /** A database whose first `failures` transactions run the work and then fail to commit with a deadlock. */
    function failingCommits(failures: number) {
      let calls = 0;
      const manager = { insert: jest.fn() } as unknown as EntityManager;
      const dataSource = {
        options: { type: 'mysql' },
        transaction: jest.fn(async (work: (m: EntityManager) => Promise<unknown>) => {
          const result = await work(manager);
          if (++calls <= failures) throw deadlock();
          return result;
        }),
      } as unknown as DataSource;
      return dataSource;
    }

    it('runs the effects once the transaction has committed, in order, after the work', async () => {
      const seen: string[] = [];
      await new TransactionRunner(failingCommits(0)).run(async (tx) => {
        tx.afterCommit(() => seen.push('first'));
        tx.afterCommit(() => seen.push('second'));
        seen.push('work done');
      });
      expect(seen).toEqual(['work done', 'first', 'second']);
    });

    it('runs only the effects of the attempt that committed, never those of one rolled back and retried', async () => {
      jest.spyOn(Math, 'random').mockReturnValue(0);
      const effect = jest.fn();
      let attempts = 0;
      await new TransactionRunner(failingCommits(2)).run(async (tx) => {
        attempts++;
        tx.afterCommit(effect);
      });
      expect(attempts).toBe(3);
      expect(effect).toHaveBeenCalledTimes(1);
      jest.restoreAllMocks();
    });

    it('runs no effect when the work fails', async () => {
      const effect = jest.fn();
      const work = async (tx: Tx) => {
        tx.afterCommit(effect);
        throw new Error('rolled back');
      };
      await expect(new TransactionRunner(failingCommits(0)).run(work)).rejects.toThrow('rolled back');
      expect(effect).not.toHaveBeenCalled();
    });

    it('answers committed work even when an effect throws, runs the others, and never reruns the work', async () => {
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const after = jest.fn();
      const work = jest.fn(async (tx: Tx) => {
        tx.afterCommit(() => {
          throw new Error('effect failed');
        });
        tx.afterCommit(after);
        return 'committed';
      });
      await expect(new TransactionRunner(failingCommits(0)).run(work)).resolves.toBe('committed');
      expect(work).toHaveBeenCalledTimes(1);
      expect(after).toHaveBeenCalledTimes(1);
      expect(logged).toHaveBeenCalledWith(expect.stringContaining('effect failed'));
      logged.mockRestore();
    });
  });

  it.each([
    [{ driverError: { errno: 1213 } }, true],
    [{ driverError: { errno: 1205 } }, true],
    [{ driverError: { code: 'SQLITE_BUSY' } }, true],
    [{ driverError: { errno: 1062 } }, false],
    [new Error('plain'), false],
  ])('isRetryable(%p) = %p', (error, expected) => expect(isRetryable(error)).toBe(expected));
});
