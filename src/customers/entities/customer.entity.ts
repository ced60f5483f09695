import { Column, CreateDateColumn, DeleteDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('customers')
export class Customer {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 254 })
  email: string;

  /**
   * Lower-cased email for case-insensitive uniqueness, otherwise compared exactly (binary collation on MySQL);
   * cleared on delete so the address is free again.
   */
  @Column({ name: 'email_key', type: 'varchar', length: 254, nullable: true })
  emailKey: string | null;

  @Column({ name: 'phone_number', type: 'varchar', length: 32, nullable: true })
  phoneNumber: string | null;

  /**
   * Orders placed for the customer: a history's total. Changed only by CustomersService.countOrder, in the placing
   * transaction; `update: false` keeps a save of a customer read earlier from writing back a stale count. Internal:
   * no answer shows it.
   */
  @Column({ name: 'orders_count', type: 'integer', default: 0, update: false })
  ordersCount: number;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;

  @DeleteDateColumn({ name: 'deleted_at', type: 'datetime' })
  deletedAt: Date | null;
}
