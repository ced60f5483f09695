import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { type Actor, actorJson } from '../../common/actor';

export const MOVEMENT_TYPES = ['initial', 'order', 'cancel', 'restock', 'adjustment'] as const;
export type MovementType = (typeof MOVEMENT_TYPES)[number];

/**
 * What caused a movement: an order (placed or cancelled), a product's opening stock, a replenishment order
 * received, a manual adjustment. `restock` names the movements of the restock pass from before replenishment
 * orders existed (they have no reference id).
 */
export const REFERENCE_TYPES = ['order', 'initial', 'replenishment', 'restock', 'adjustment'] as const;
export type ReferenceType = (typeof REFERENCE_TYPES)[number];

/** The stock ledger: one row per change of a product's quantity; their deltas sum to the quantity. */
@Entity('stock_movements')
export class StockMovement {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'product_id', type: 'integer' })
  productId: number;

  @Column({ type: 'varchar', length: 16 })
  type: MovementType;

  @Column({ type: 'integer' })
  delta: number;

  @Column({ name: 'quantity_after', type: 'integer' })
  quantityAfter: number;

  @Column({ name: 'reference_type', type: 'varchar', length: 16 })
  referenceType: ReferenceType;

  /** The referenced row's id (the order's, the replenishment's), where the reference has one. */
  @Column({ name: 'reference_id', type: 'integer', nullable: true })
  referenceId: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  reason: string | null;

  /** Who made the change (JSON); null on movements recorded before the audit trail. */
  @Column({ type: 'text', nullable: true, transformer: actorJson })
  actor: Actor | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
