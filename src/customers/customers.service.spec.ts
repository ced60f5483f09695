import { Test } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import { EntityManager } from 'typeorm';
import { UNATTRIBUTED } from '../common/actor';
import { ProblemException } from '../common/problem';
import { TransactionRunner, type Tx } from '../database/transaction-runner';
import { CustomersService } from './customers.service';
import { Customer } from './entities/customer.entity';

describe('CustomersService', () => {
  let sut: CustomersService;
  const manager = {
    exists: jest.fn(),
    create: jest.fn((_entity: unknown, values: object) => ({ ...values })),
    save: jest.fn(async (entity: object) => ({ id: 1, createdAt: new Date(0), updatedAt: new Date(0), ...entity })),
    findOne: jest.fn(),
  };
  const publish = jest.fn(async () => undefined);

  beforeEach(async () => {
    jest.clearAllMocks();
    const module = await Test.createTestingModule({
      providers: [
        CustomersService,
        { provide: getRepositoryToken(Customer), useValue: { manager } },
        {
          provide: TransactionRunner,
          useValue: {
            run: (work: (tx: Tx) => unknown) =>
              work({
                manager: manager as unknown as EntityManager,
                actor: UNATTRIBUTED,
                requestId: null,
                publish,
                afterCommit: () => undefined,
              }),
          },
        },
      ],
    }).compile();
    sut = module.get(CustomersService);
  });

  it('stores the lower-cased email as the uniqueness key and answers in snake_case', async () => {
    manager.exists.mockResolvedValue(false);
    const created = await sut.create({ name: 'Ada', email: 'Ada@Example.COM', phone_number: null });
    expect(manager.create).toHaveBeenCalledWith(
      Customer,
      expect.objectContaining({ email: 'Ada@Example.COM', emailKey: 'ada@example.com' }),
    );
    expect(created).toMatchObject({ id: 1, email: 'Ada@Example.COM', phone_number: null, created_at: '1970-01-01T00:00:00.000Z' });
    expect(publish).toHaveBeenCalledWith({ type: 'customer.created', subject: { type: 'customer', id: 1 }, data: created });
  });

  it('refuses a taken email with 409 EMAIL_TAKEN without saving', async () => {
    manager.exists.mockResolvedValue(true);
    await expect(sut.create({ name: 'Ada', email: 'ada@example.com' })).rejects.toMatchObject({ code: 'EMAIL_TAKEN', status: 409 });
    expect(manager.save).not.toHaveBeenCalled();
    expect(publish).not.toHaveBeenCalled();
  });

  it('maps a unique-index race on save to 409 EMAIL_TAKEN', async () => {
    manager.exists.mockResolvedValue(false);
    manager.save.mockRejectedValueOnce(Object.assign(new Error('dup'), { driverError: { errno: 1062 } }));
    await expect(sut.create({ name: 'Ada', email: 'ada@example.com' })).rejects.toBeInstanceOf(ProblemException);
  });

  it('answers 404 CUSTOMER_NOT_FOUND for a missing customer', async () => {
    manager.findOne.mockResolvedValue(null);
    await expect(sut.findOne(5, undefined)).rejects.toMatchObject({ code: 'CUSTOMER_NOT_FOUND', status: 404 });
  });

  it('refuses an empty update before touching the database', async () => {
    await expect(sut.update(1, {}, undefined)).rejects.toMatchObject({ code: 'EMPTY_UPDATE', status: 400 });
    expect(manager.findOne).not.toHaveBeenCalled();
  });
});
