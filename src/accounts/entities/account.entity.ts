import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('accounts')
export class Account {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'customer_id', type: 'integer' })
  customerId: number;

  @Column({ type: 'varchar', length: 64 })
  username: string;

  /** Lower-cased username; compared exactly (binary collation on MySQL, see the ExactKeys migration). */
  @Column({ name: 'username_key', type: 'varchar', length: 64 })
  usernameKey: string;

  /** Raised by every password change; a token carries the version it was issued at and dies when it moves on. */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion: number;

  /** argon2id; never leaves the service (see toAccountResponse). */
  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
