import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** JSON array in a TEXT column. */
const jsonList = { to: (value: string[]) => JSON.stringify(value), from: (value: string) => JSON.parse(value) as string[] };

/** A registered receiver of events. */
@Entity('webhooks')
export class Webhook {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  /** Patterns: exact types, `order.*`, or `*`. */
  @Column({ name: 'event_types', type: 'text', transformer: jsonList })
  eventTypes: string[];

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  /**
   * The signing key as issued (`whsec_` + base64): HMAC needs it, so it cannot be hashed. Never loaded unless
   * asked for (`select: false`); only the dispatcher reads it, and only create and rotate answer it.
   */
  @Column({ type: 'varchar', length: 100, select: false })
  secret: string;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  /** Why the server disabled the endpoint (410 Gone, failing too long); null when enabled or disabled by PUT. */
  @Column({ name: 'disabled_reason', type: 'varchar', length: 500, nullable: true })
  disabledReason: string | null;

  @Column({ name: 'disabled_at', type: 'datetime', nullable: true })
  disabledAt: Date | null;

  /** The first failed attempt since the last success; null while the endpoint succeeds. */
  @Column({ name: 'failing_since', type: 'datetime', nullable: true })
  failingSince: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
