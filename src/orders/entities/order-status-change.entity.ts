import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { type Actor, actorJson } from '../../common/actor';
import type { OrderStatus } from '../order-status';
import { Order } from './order.entity';

/** One row per status an order entered, the first being `pending`; the tracking history. */
@Entity('order_status_history')
export class OrderStatusChange {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'order_id', type: 'integer' })
  orderId: number;

  @ManyToOne(() => Order, (order) => order.history)
  @JoinColumn({ name: 'order_id' })
  order: Relation<Order>;

  @Column({ type: 'varchar', length: 16 })
  status: OrderStatus;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  /** Who moved the order (JSON); null on entries recorded before the audit trail. */
  @Column({ type: 'text', nullable: true, transformer: actorJson })
  actor: Actor | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
