import { Column, CreateDateColumn, DeleteDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** `fixed`: the threshold and quantity as set; `demand`: recomputed from the ledger by every replenishment pass. */
export const REORDER_POLICIES = ['fixed', 'demand'] as const;
export type ReorderPolicy = (typeof REORDER_POLICIES)[number];

@Entity('products')
export class Product {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'price_cents', type: 'integer' })
  priceCents: number;

  /** Changed only by ProductsService's conditional stock UPDATEs, which InventoryService calls with the ledger row of each. */
  @Column({ name: 'stock_quantity', type: 'integer', default: 0 })
  stockQuantity: number;

  @Column({ name: 'reorder_threshold', type: 'integer', default: 0 })
  reorderThreshold: number;

  @Column({ name: 'reorder_quantity', type: 'integer', default: 0 })
  reorderQuantity: number;

  /** Days a replenishment order takes to arrive; 0: the automatic order is received at once. */
  @Column({ name: 'lead_time_days', type: 'integer', default: 0 })
  leadTimeDays: number;

  @Column({ name: 'reorder_policy', type: 'varchar', length: 16, default: 'fixed' })
  reorderPolicy: ReorderPolicy;

  /** The demand policy's service level in basis points (9500 = 0.95): the chance of not running out during a lead time. */
  @Column({ name: 'service_level_bp', type: 'integer', default: 9500 })
  serviceLevelBp: number;

  /** The demand policy orders this many days of mean demand. */
  @Column({ name: 'cover_days', type: 'integer', default: 14 })
  coverDays: number;

  /**
   * Units on open replenishment orders (ordered, not yet received), changed only in the transactions that
   * create, receive or cancel them: projected stock is `stock_quantity + incoming_quantity`, one row's condition.
   */
  @Column({ name: 'incoming_quantity', type: 'integer', default: 0 })
  incomingQuantity: number;

  @Column({ name: 'last_restocked_at', type: 'datetime', nullable: true })
  lastRestockedAt: Date | null;

  /**
   * Computed by the database (a virtual column, never written): whether there is stock. It exists for its index
   * (deleted_at, in_stock, id), which makes `GET /products?in_stock=` an index range read.
   */
  @Column({ name: 'in_stock', type: 'boolean', insert: false, update: false, generatedType: 'VIRTUAL', asExpression: 'stock_quantity > 0' })
  inStock: boolean;

  /**
   * Computed by the database (a virtual column, never written): the quantity while the product is at or below its
   * reorder threshold, NULL otherwise. A comparison of two columns has no index; this column's index
   * (deleted_at, low_stock_quantity, id) holds exactly the low products, lowest quantity first.
   */
  @Column({
    name: 'low_stock_quantity',
    type: 'integer',
    nullable: true,
    insert: false,
    update: false,
    generatedType: 'VIRTUAL',
    asExpression: 'CASE WHEN stock_quantity <= reorder_threshold THEN stock_quantity END',
  })
  lowStockQuantity: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;

  @DeleteDateColumn({ name: 'deleted_at', type: 'datetime' })
  deletedAt: Date | null;
}
