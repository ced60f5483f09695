import { Column, CreateDateColumn, DeleteDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

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

  @Column({ name: 'last_restocked_at', type: 'datetime', nullable: true })
  lastRestockedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;

  @DeleteDateColumn({ name: 'deleted_at', type: 'datetime' })
  deletedAt: Date | null;
}
