import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { isScope, type Scope } from '../../auth/scopes';

/**
 * Scopes as one space-separated string (as OAuth 2 writes them). A scope a later version no longer knows is
 * dropped when read: it then grants nothing rather than failing every request of its key.
 */
const scopeList = {
  to: (scopes: Scope[]) => scopes.join(' '),
  from: (value: string) => value.split(' ').filter(isScope),
};

/** A named API key of an internal service. The key itself is never stored, only its SHA-256 (see api-key-secret.ts). */
@Entity('api_keys')
export class ApiKey {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 500, transformer: scopeList })
  scopes: Scope[];

  /** `eak_` + 12 hex, unique: how a presented key is found, and how people tell keys apart. */
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  /** Never loaded unless asked for (`select: false`): only authentication reads it, and nothing answers it. */
  @Column({ name: 'secret_hash', type: 'varchar', length: 64, select: false })
  secretHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'datetime', nullable: true })
  expiresAt: Date | null;

  /** Written at most once a minute per key, so a busy key does not cost a write per request. */
  @Column({ name: 'last_used_at', type: 'datetime', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'datetime', nullable: true })
  revokedAt: Date | null;
}
