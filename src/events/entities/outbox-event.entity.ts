import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { type Actor, actorJson } from '../../common/actor';
import { bigintAsNumber } from '../../common/bigint.transformer';
import type { EventType } from '../event';

/** The transactional outbox: one row per event, written in the transaction of the change it reports. */
@Entity('events')
export class OutboxEvent {
  /** The outbox row's own key (a BIGINT: the driver returns it as a string). */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  /** `evt_…`, the id consumers deduplicate by. */
  @Column({ name: 'event_id', type: 'varchar', length: 40 })
  eventId: string;

  @Column({ type: 'varchar', length: 64 })
  type: EventType;

  @Column({ name: 'subject_type', type: 'varchar', length: 32 })
  subjectType: string;

  @Column({ name: 'subject_id', type: 'integer' })
  subjectId: number;

  /** Who made the change (JSON); null on events written before the audit trail. */
  @Column({ type: 'text', nullable: true, transformer: actorJson })
  actor: Actor | null;

  /** The X-Request-Id of the request that made the change; null for scheduled work and older events. */
  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  /** JSON. */
  @Column({ type: 'text' })
  data: string;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  /** The event's place in the feed, in the order the relay saw events commit; null until then. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintAsNumber })
  position: number | null;
}
