import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One POST of a delivery and what came back. */
@Entity('webhook_delivery_attempts')
export class WebhookDeliveryAttempt {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'delivery_id', type: 'integer' })
  deliveryId: number;

  /** 1 for the first try. */
  @Column({ type: 'integer' })
  attempt: number;

  /** The receiver's status; null when no answer came (timeout, refused connection). */
  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error: string | null;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs: number;

  @CreateDateColumn({ name: 'attempted_at', type: 'datetime' })
  attemptedAt: Date;
}
