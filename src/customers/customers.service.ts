import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Account } from '../accounts/entities/account.entity';
import type { OwnerScope } from '../auth/access';
import { likePattern } from '../common/dto-helpers';
import { Page, toPage } from '../common/pagination';
import { isUniqueViolation } from '../common/problem-details.filter';
import { badRequest, conflict, notFound, ProblemException } from '../common/problem';
import { TransactionRunner } from '../database/transaction-runner';
import { CreateCustomerDto } from './dto/create-customer.dto';
import { CustomerResponseDto, toCustomerResponse } from './dto/customer-response.dto';
import { ListCustomersQueryDto } from './dto/list-customers.dto';
import { UpdateCustomerDto } from './dto/update-customer.dto';
import { Customer } from './entities/customer.entity';

export const CustomerErrors = {
  NOT_FOUND: 'CUSTOMER_NOT_FOUND',
  EMAIL_TAKEN: 'EMAIL_TAKEN',
  EMPTY_UPDATE: 'EMPTY_UPDATE',
} as const;

@Injectable()
export class CustomersService {
  constructor(
    @InjectRepository(Customer) private readonly customers: Repository<Customer>,
    private readonly tx: TransactionRunner,
  ) {}

  async create(dto: CreateCustomerDto): Promise<CustomerResponseDto> {
    const customer = await this.tx.run(async (manager) => {
      await this.assertEmailFree(manager, dto.email);
      const entity = manager.create(Customer, {
        name: dto.name,
        email: dto.email,
        emailKey: emailKey(dto.email),
        phoneNumber: dto.phone_number ?? null,
      });
      return this.saveMappingConflicts(manager, entity);
    });
    return toCustomerResponse(customer);
  }

  async list(query: ListCustomersQueryDto): Promise<Page<CustomerResponseDto>> {
    const qb = this.customers.createQueryBuilder('c').orderBy('c.id', 'ASC').take(query.limit).skip(query.offset);
    if (query.email !== undefined) qb.andWhere('c.email_key = :email', { email: emailKey(query.email) });
    if (query.search) {
      qb.andWhere("(c.name LIKE :text ESCAPE '!' OR c.email LIKE :text ESCAPE '!')", { text: likePattern(query.search) });
    }
    return toPage(await qb.getManyAndCount(), query, toCustomerResponse);
  }

  async findOne(id: number, owner?: OwnerScope): Promise<CustomerResponseDto> {
    assertOwn(id, owner);
    return toCustomerResponse(await this.getActive(this.customers.manager, id));
  }

  async update(id: number, dto: UpdateCustomerDto, owner?: OwnerScope): Promise<CustomerResponseDto> {
    assertOwn(id, owner);
    if (!Object.keys(dto).length) {
      throw badRequest(CustomerErrors.EMPTY_UPDATE, 'Send at least one of name, email, phone_number');
    }
    const customer = await this.tx.run(async (manager) => {
      const existing = await this.getActive(manager, id);
      if (dto.email !== undefined && emailKey(dto.email) !== existing.emailKey) {
        await this.assertEmailFree(manager, dto.email);
      }
      if (dto.name !== undefined) existing.name = dto.name;
      if (dto.email !== undefined) Object.assign(existing, { email: dto.email, emailKey: emailKey(dto.email) });
      if (dto.phone_number !== undefined) existing.phoneNumber = dto.phone_number;
      return this.saveMappingConflicts(manager, existing);
    });
    return toCustomerResponse(customer);
  }

  /**
   * Soft delete: the customer disappears from reads and its email is free again, while its orders stay
   * readable. Its login goes with it (the account row is removed in the same transaction).
   */
  async remove(id: number): Promise<void> {
    await this.tx.run(async (manager) => {
      await this.getActive(manager, id);
      await manager.delete(Account, { customerId: id });
      await manager.update(Customer, { id }, { emailKey: null });
      await manager.softDelete(Customer, { id });
    });
  }

  /** The customer unless it does not exist or was deleted; shared with accounts and orders. */
  async getActive(manager: EntityManager, id: number): Promise<Customer> {
    const customer = await manager.findOne(Customer, { where: { id } });
    if (!customer) throw notFound(CustomerErrors.NOT_FOUND, `Customer ${id} not found`);
    return customer;
  }

  private async assertEmailFree(manager: EntityManager, email: string): Promise<void> {
    if (await manager.exists(Customer, { where: { emailKey: emailKey(email) } })) throw emailTaken(email);
  }

  private async saveMappingConflicts(manager: EntityManager, customer: Customer): Promise<Customer> {
    try {
      return await manager.save(customer);
    } catch (error) {
      if (isUniqueViolation(error)) throw emailTaken(customer.email);
      throw error;
    }
  }
}

/** A customer token sees only its own record; anyone else's is answered as if it did not exist. */
export function assertOwn(customerId: number, owner: OwnerScope): void {
  if (owner !== undefined && owner !== customerId) throw notFound(CustomerErrors.NOT_FOUND, `Customer ${customerId} not found`);
}

const emailKey = (email: string) => email.trim().toLowerCase();
const emailTaken = (email: string): ProblemException =>
  conflict(CustomerErrors.EMAIL_TAKEN, `A customer with email ${email} already exists`, [{ field: 'email', message: 'already taken' }]);
