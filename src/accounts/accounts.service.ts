import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { OwnerScope } from '../auth/access';
import { CommonErrors } from '../common/common.errors';
import { problem } from '../common/problem';
import { CustomersService } from '../customers/customers.service';
import { isUniqueViolation } from '../database/driver-errors';
import { TransactionRunner } from '../database/transaction-runner';
import { AccountErrors } from './accounts.errors';
import { AccountResponseDto, toAccountResponse } from './dto/account-response.dto';
import { CreateAccountDto } from './dto/create-account.dto';
import { UpdateAccountDto } from './dto/update-account.dto';
import { Account } from './entities/account.entity';
import { PasswordHasher } from './password-hasher';

/** Owns the `accounts` table: customers' logins. */
@Injectable()
export class AccountsService implements OnModuleInit {
  constructor(
    @InjectRepository(Account) private readonly accountsRepository: Repository<Account>,
    private readonly customersService: CustomersService,
    private readonly hasher: PasswordHasher,
    private readonly tx: TransactionRunner,
  ) {}

  /** A deleted customer's login goes with it, in the transaction that deletes the customer. */
  onModuleInit(): void {
    this.tx.onPublish('customer.deleted', (tx, event) => this.removeForCustomer(tx.manager, event.subject.id));
  }

  async create(dto: CreateAccountDto): Promise<AccountResponseDto> {
    // hash outside the transaction: it is slow and needs no lock
    const passwordHash = await this.hasher.hash(dto.password);
    const account = await this.tx.run(async ({ manager }) => {
      await this.customersService.getActive(manager, dto.customer_id);
      if (await manager.exists(Account, { where: { customerId: dto.customer_id } })) {
        throw problem(AccountErrors.ACCOUNT_EXISTS, `Customer ${dto.customer_id} already has an account`, [
          { field: 'customer_id', message: 'already has an account' },
        ]);
      }
      await this.assertUsernameFree(manager, dto.username);
      const entity = manager.create(Account, {
        customerId: dto.customer_id,
        username: dto.username,
        usernameKey: usernameKey(dto.username),
        passwordHash,
      });
      return this.save(manager, entity);
    });
    return toAccountResponse(account);
  }

  async findOne(id: number, owner: OwnerScope): Promise<AccountResponseDto> {
    return toAccountResponse(await this.get(this.accountsRepository.manager, id, owner));
  }

  async update(id: number, dto: UpdateAccountDto, owner: OwnerScope): Promise<AccountResponseDto> {
    if (dto.username === undefined && dto.password === undefined) {
      throw problem(CommonErrors.EMPTY_UPDATE, 'Send username and/or password');
    }
    const passwordHash = dto.password !== undefined ? await this.hasher.hash(dto.password) : undefined;
    const account = await this.tx.run(async ({ manager }) => {
      const existing = await this.get(manager, id, owner);
      if (dto.username !== undefined && usernameKey(dto.username) !== existing.usernameKey) {
        await this.assertUsernameFree(manager, dto.username);
        Object.assign(existing, { username: dto.username, usernameKey: usernameKey(dto.username) });
      } else if (dto.username !== undefined) {
        existing.username = dto.username;
      }
      if (passwordHash) existing.passwordHash = passwordHash;
      return this.save(manager, existing);
    });
    return toAccountResponse(account);
  }

  async remove(id: number): Promise<void> {
    await this.tx.run(async ({ manager }) => {
      await this.get(manager, id, undefined);
      await manager.delete(Account, { id });
    });
  }

  /** For login: the account with this username (any case), or null. */
  findByUsername(username: string): Promise<Account | null> {
    return this.accountsRepository.findOne({ where: { usernameKey: usernameKey(username) } });
  }

  async removeForCustomer(manager: EntityManager, customerId: number): Promise<void> {
    await manager.delete(Account, { customerId });
  }

  /** The account, if it exists and (for a customer token) belongs to that customer; 404 otherwise. */
  private async get(manager: EntityManager, id: number, owner: OwnerScope): Promise<Account> {
    const account = await manager.findOne(Account, { where: { id, ...(owner !== undefined && { customerId: owner }) } });
    if (!account) throw problem(AccountErrors.ACCOUNT_NOT_FOUND, `Account ${id} not found`);
    return account;
  }

  private async assertUsernameFree(manager: EntityManager, username: string): Promise<void> {
    if (await manager.exists(Account, { where: { usernameKey: usernameKey(username) } })) throw usernameTaken(username);
  }

  private async save(manager: EntityManager, account: Account): Promise<Account> {
    try {
      return await manager.save(account);
    } catch (error) {
      if (isUniqueViolation(error)) throw usernameTaken(account.username);
      throw error;
    }
  }
}

/** How usernames compare: case-insensitively, otherwise exactly (the column has a binary collation on MySQL). */
export const usernameKey = (username: string) => username.toLowerCase();
const usernameTaken = (username: string) =>
  problem(AccountErrors.USERNAME_TAKEN, `The username ${username} is taken`, [{ field: 'username', message: 'already taken' }]);
