import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { OwnerScope } from '../auth/access';
import { CommonErrors } from '../common/common.errors';
import { likePattern } from '../common/dto-helpers';
import { byId, Page, readPage, toPage } from '../common/pagination';
import { problem } from '../common/problem';
import { directQuery } from '../database/direct-query';
import { isUniqueViolation } from '../database/driver-errors';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { CustomerErrors } from './customers.errors';
import { CreateCustomerDto } from './dto/create-customer.dto';
import { CustomerResponseDto, toCustomerResponse } from './dto/customer-response.dto';
import { ListCustomersQueryDto } from './dto/list-customers.dto';
import { UpdateCustomerDto } from './dto/update-customer.dto';
import { Customer } from './entities/customer.entity';

const CUSTOMERS_BY_ID = byId<Customer>('customers');

/** Owns the `customers` table; other modules go through the `(manager, …)` methods below. */
@Injectable()
export class CustomersService {
  constructor(
    @InjectRepository(Customer) private readonly customersRepository: Repository<Customer>,
    private readonly tx: TransactionRunner,
  ) {}

  async create(dto: CreateCustomerDto): Promise<CustomerResponseDto> {
    return this.tx.run(async (tx) => {
      await this.assertEmailFree(tx.manager, dto.email);
      const entity = tx.manager.create(Customer, {
        name: dto.name,
        email: dto.email,
        emailKey: emailKey(dto.email),
        phoneNumber: dto.phone_number ?? null,
      });
      return this.saveAndPublish(tx, entity, 'customer.created');
    });
  }

  /**
   * Oldest first, by id: from the index (deleted_at, id), which skips deleted customers, or the unique email
   * index. `search` is a substring match no index serves: the page reads customers in id order until it has its
   * items, and the count stops at TOTAL_CAP + 1 matches, so a rare text reads much of the table.
   */
  async list(query: ListCustomersQueryDto): Promise<Page<CustomerResponseDto>> {
    const qb = this.customersRepository.createQueryBuilder('c');
    if (query.email !== undefined) qb.andWhere('c.email_key = :email', { email: emailKey(query.email) });
    if (query.search) {
      qb.andWhere("(c.name LIKE :text ESCAPE '!' OR c.email LIKE :text ESCAPE '!')", { text: likePattern(query.search) });
    }
    const index = query.email !== undefined ? 'UQ_customers_email_key' : 'IDX_customers_active';
    return toPage(await readPage(qb, query, CUSTOMERS_BY_ID, index), query, toCustomerResponse);
  }

  async findOne(id: number, owner: OwnerScope): Promise<CustomerResponseDto> {
    assertOwn(id, owner);
    return toCustomerResponse(await this.getActive(this.customersRepository.manager, id));
  }

  async update(id: number, dto: UpdateCustomerDto, owner: OwnerScope): Promise<CustomerResponseDto> {
    assertOwn(id, owner);
    if (!Object.keys(dto).length) throw problem(CommonErrors.EMPTY_UPDATE, 'Send at least one of name, email, phone_number');
    return this.tx.run(async (tx) => {
      const existing = await this.getActive(tx.manager, id);
      if (dto.email !== undefined && emailKey(dto.email) !== existing.emailKey) {
        await this.assertEmailFree(tx.manager, dto.email);
      }
      if (dto.name !== undefined) existing.name = dto.name;
      if (dto.email !== undefined) Object.assign(existing, { email: dto.email, emailKey: emailKey(dto.email) });
      if (dto.phone_number !== undefined) existing.phoneNumber = dto.phone_number;
      return this.saveAndPublish(tx, existing, 'customer.updated');
    });
  }

  /**
   * Soft delete: the customer disappears from reads and its email is free again, while its orders stay
   * readable. `customer.deleted` is published in the same transaction, and the accounts module removes the
   * customer's login with it.
   */
  async remove(id: number): Promise<void> {
    await this.tx.run(async (tx) => {
      const customer = await this.getActive(tx.manager, id);
      await tx.manager.update(Customer, { id }, { emailKey: null });
      await tx.manager.softDelete(Customer, { id });
      await tx.publish({ type: 'customer.deleted', subject: { type: 'customer', id }, data: toCustomerResponse(customer) });
    });
  }

  /** The customer unless it does not exist or was deleted (404). */
  async getActive(manager: EntityManager, id: number): Promise<Customer> {
    const customer = await manager.findOne(Customer, { where: { id } });
    if (!customer) throw customerNotFound(id);
    return customer;
  }

  /** 404 unless the customer exists and is not deleted; one primary-key read, for every order placed. */
  async assertActive(manager: EntityManager, id: number): Promise<void> {
    const rows = await directQuery<unknown[]>(manager, 'SELECT id FROM customers WHERE id = ? AND deleted_at IS NULL', [id]);
    if (!rows.length) throw customerNotFound(id);
  }

  /** 404 unless the customer ever existed: a deleted customer's orders stay readable. */
  async assertEverExisted(manager: EntityManager, id: number): Promise<void> {
    const rows = (await manager.query('SELECT id FROM customers WHERE id = ?', [id])) as unknown[];
    if (!rows.length) throw customerNotFound(id);
  }

  private async assertEmailFree(manager: EntityManager, email: string): Promise<void> {
    if (await manager.exists(Customer, { where: { emailKey: emailKey(email) } })) throw emailTaken(email);
  }

  private async saveAndPublish(tx: Tx, customer: Customer, type: 'customer.created' | 'customer.updated'): Promise<CustomerResponseDto> {
    let saved: Customer;
    try {
      saved = await tx.manager.save(customer);
    } catch (error) {
      if (isUniqueViolation(error)) throw emailTaken(customer.email);
      throw error;
    }
    const response = toCustomerResponse(saved);
    await tx.publish({ type, subject: { type: 'customer', id: saved.id }, data: response });
    return response;
  }
}

/** A customer token sees only its own record; anyone else's is answered as if it did not exist. */
export function assertOwn(customerId: number, owner: OwnerScope): void {
  if (owner !== undefined && owner !== customerId) throw customerNotFound(customerId);
}

const customerNotFound = (id: number) => problem(CustomerErrors.CUSTOMER_NOT_FOUND, `Customer ${id} not found`);
const emailKey = (email: string) => email.trim().toLowerCase();
const emailTaken = (email: string) =>
  problem(CustomerErrors.EMAIL_TAKEN, `A customer with email ${email} already exists`, [{ field: 'email', message: 'already taken' }]);
