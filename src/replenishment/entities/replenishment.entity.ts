import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { type Actor, actorJson } from '../../common/actor';

/** ordered → partially_received → received; ordered or partially_received → cancelled. */
export const REPLENISHMENT_STATUSES = ['ordered', 'partially_received', 'received', 'cancelled'] as const;
export type ReplenishmentStatus = (typeof REPLENISHMENT_STATUSES)[number];

/** The statuses in which units are still due: receiving and cancelling are possible, they count as incoming. */
export const OPEN_STATUSES: readonly ReplenishmentStatus[] = ['ordered', 'partially_received'];

/** `automatic`: created by the replenishment pass; `manual`: by POST /replenishments. */
export const REPLENISHMENT_ORIGINS = ['automatic', 'manual'] as const;
export type ReplenishmentOrigin = (typeof REPLENISHMENT_ORIGINS)[number];

/** A replenishment order: units of one product ordered from a supplier, received in one or more parts. */
@Entity('replenishments')
export class Replenishment {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'product_id', type: 'integer' })
  productId: number;

  @Column({ type: 'integer' })
  quantity: number;

  @Column({ name: 'received_quantity', type: 'integer', default: 0 })
  receivedQuantity: number;

  @Column({ type: 'varchar', length: 24 })
  status: ReplenishmentStatus;

  @Column({ type: 'varchar', length: 16 })
  origin: ReplenishmentOrigin;

  @Column({ name: 'expected_at', type: 'datetime', nullable: true })
  expectedAt: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  /**
   * The product's id while this is an open automatic order, NULL otherwise. A UNIQUE index: the database
   * itself refuses a second open automatic order for one product.
   */
  @Column({ name: 'open_automatic_product_id', type: 'integer', nullable: true })
  openAutomaticProductId: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;

  /** When units last arrived (null until the first receipt). */
  @Column({ name: 'received_at', type: 'datetime', nullable: true })
  receivedAt: Date | null;

  @Column({ name: 'cancelled_at', type: 'datetime', nullable: true })
  cancelledAt: Date | null;

  /*
   * The audit trail, beside the times it explains (JSON; null on orders from before it, and until the step happens):
   * who ordered it, who received units last (every receipt's actor is on its `restock` movement), who cancelled it.
   */
  @Column({ name: 'created_by', type: 'text', nullable: true, transformer: actorJson })
  createdBy: Actor | null;

  @Column({ name: 'received_by', type: 'text', nullable: true, transformer: actorJson })
  receivedBy: Actor | null;

  @Column({ name: 'cancelled_by', type: 'text', nullable: true, transformer: actorJson })
  cancelledBy: Actor | null;
}
