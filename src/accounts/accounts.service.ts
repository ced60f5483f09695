import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { OwnerScope } from '../auth/access';
import { LoginAttempts } from '../auth/login-attempts';
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
    private readonly loginAttempts: LoginAttempts,
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

  /**
   * A customer (owner set) changing its own password proves the current one; an API-key caller (support,
   * administrators) may reset it without. A password change raises the token version: every token issued
   * before it, the caller's own included, is refused from then on.
   */
  async update(id: number, dto: UpdateAccountDto, owner: OwnerScope): Promise<AccountResponseDto> {
    if (dto.username === undefined && dto.password === undefined) {
      throw problem(CommonErrors.EMPTY_UPDATE, 'Send username and/or password');
    }
    const mustProve = dto.current_password !== undefined || (owner !== undefined && dto.password !== undefined);
    // argon2 is slow and needs no lock: prove and hash before the transaction
    const provenHash = mustProve ? await this.proveCurrentPassword(id, owner, dto.current_password) : undefined;
    const passwordHash = dto.password !== undefined ? await this.hasher.hash(dto.password) : undefined;
    const account = await this.tx.run(async ({ manager }) => {
      const existing = await this.get(manager, id, owner);
      // the password changed in the meantime: what was proven is no longer the current password
      if (provenHash !== undefined && existing.passwordHash !== provenHash) throw currentPasswordIncorrect();
      if (dto.username !== undefined && usernameKey(dto.username) !== existing.usernameKey) {
        await this.assertUsernameFree(manager, dto.username);
        Object.assign(existing, { username: dto.username, usernameKey: usernameKey(dto.username) });
      } else if (dto.username !== undefined) {
        existing.username = dto.username;
      }
      if (passwordHash) existing.passwordHash = passwordHash;
      const saved = await this.save(manager, existing);
      // one atomic UPDATE: two concurrent changes raise it twice, so no token survives either
      if (passwordHash) await manager.increment(Account, { id }, 'tokenVersion', 1);
      return saved;
    });
    return toAccountResponse(account);
  }

  async remove(id: number): Promise<void> {
    await this.tx.run(async ({ manager }) => {
      await this.get(manager, id, undefined);
      await manager.delete(Account, { id });
    });
  }

  /**
   * For the guard, on every customer request: whether the token's login still exists, belongs to its customer
   * and has not changed its password since the token was issued. One primary-key read, written by hand: building
   * it with TypeORM cost more than running it. (A login exists only while its customer does: deleting the
   * customer deletes it in the same transaction.)
   */
  async isTokenCurrent(claims: { accountId: number; customerId: number; tokenVersion: number }): Promise<boolean> {
    const rows = (await this.accountsRepository.manager.query(
      'SELECT 1 FROM accounts WHERE id = ? AND customer_id = ? AND token_version = ? LIMIT 1',
      [claims.accountId, claims.customerId, claims.tokenVersion],
    )) as unknown[];
    return rows.length > 0;
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

  /**
   * The hash that `password` was verified against. Someone else's account is 404 before anything else; then
   * 400 without a password, 429 past the username's login limit, 403 if it is not the account's password.
   */
  private async proveCurrentPassword(id: number, owner: OwnerScope, password: string | undefined): Promise<string> {
    const account = await this.get(this.accountsRepository.manager, id, owner);
    if (password === undefined) {
      throw problem(AccountErrors.CURRENT_PASSWORD_REQUIRED, 'Send current_password to change the password', [
        { field: 'current_password', message: 'required to change the password' },
      ]);
    }
    await this.loginAttempts.registerPasswordCheck(account.usernameKey);
    if (!(await this.hasher.verify(account.passwordHash, password))) throw currentPasswordIncorrect();
    return account.passwordHash;
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
const currentPasswordIncorrect = () =>
  problem(AccountErrors.CURRENT_PASSWORD_INCORRECT, 'current_password is not the password of this account', [
    { field: 'current_password', message: 'incorrect' },
  ]);
const usernameTaken = (username: string) =>
  problem(AccountErrors.USERNAME_TAKEN, `The username ${username} is taken`, [{ field: 'username', message: 'already taken' }]);
