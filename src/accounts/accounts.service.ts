import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { OwnerScope } from '../auth/access';
import { badRequest, conflict, notFound } from '../common/problem';
import { isUniqueViolation } from '../common/problem-details.filter';
import { CustomersService } from '../customers/customers.service';
import { TransactionRunner } from '../database/transaction-runner';
import { AccountResponseDto, toAccountResponse } from './dto/account-response.dto';
import { CreateAccountDto } from './dto/create-account.dto';
import { UpdateAccountDto } from './dto/update-account.dto';
import { Account } from './entities/account.entity';
import { PasswordHasher } from './password-hasher';

export const AccountErrors = {
  NOT_FOUND: 'ACCOUNT_NOT_FOUND',
  USERNAME_TAKEN: 'USERNAME_TAKEN',
  ACCOUNT_EXISTS: 'ACCOUNT_EXISTS',
  EMPTY_UPDATE: 'EMPTY_UPDATE',
} as const;

@Injectable()
export class AccountsService {
  constructor(
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    private readonly customers: CustomersService,
    private readonly hasher: PasswordHasher,
    private readonly tx: TransactionRunner,
  ) {}

  async create(dto: CreateAccountDto): Promise<AccountResponseDto> {
    // hash outside the transaction: it is slow and needs no lock
    const passwordHash = await this.hasher.hash(dto.password);
    const account = await this.tx.run(async (manager) => {
      await this.customers.getActive(manager, dto.customer_id);
      if (await manager.exists(Account, { where: { customerId: dto.customer_id } })) {
        throw conflict(AccountErrors.ACCOUNT_EXISTS, `Customer ${dto.customer_id} already has an account`, [
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

  async findOne(id: number, owner?: OwnerScope): Promise<AccountResponseDto> {
    return toAccountResponse(await this.get(this.accounts.manager, id, owner));
  }

  async update(id: number, dto: UpdateAccountDto, owner?: OwnerScope): Promise<AccountResponseDto> {
    if (dto.username === undefined && dto.password === undefined) {
      throw badRequest(AccountErrors.EMPTY_UPDATE, 'Send username and/or password');
    }
    const passwordHash = dto.password !== undefined ? await this.hasher.hash(dto.password) : undefined;
    const account = await this.tx.run(async (manager) => {
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
    await this.tx.run(async (manager) => {
      await this.get(manager, id);
      await manager.delete(Account, { id });
    });
  }

  /** For login: the account with this username (any case), or null. */
  findByUsername(username: string): Promise<Account | null> {
    return this.accounts.findOne({ where: { usernameKey: usernameKey(username) } });
  }

  /** The account, if it exists and (for a customer token) belongs to that customer; 404 otherwise. */
  private async get(manager: EntityManager, id: number, owner?: OwnerScope): Promise<Account> {
    const account = await manager.findOne(Account, { where: { id, ...(owner !== undefined && { customerId: owner }) } });
    if (!account) throw notFound(AccountErrors.NOT_FOUND, `Account ${id} not found`);
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

const usernameKey = (username: string) => username.toLowerCase();
const usernameTaken = (username: string) =>
  conflict(AccountErrors.USERNAME_TAKEN, `The username ${username} is taken`, [{ field: 'username', message: 'already taken' }]);
