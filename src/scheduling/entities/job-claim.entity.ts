import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../common/bigint.transformer';

/** One row per job and tick that an instance ran: the primary key lets only one instance insert it. */
@Entity('job_claims')
export class JobClaim {
  @PrimaryColumn({ name: 'job_name', type: 'varchar', length: 64 })
  jobName: string;

  /** Unix seconds of the database's clock, rounded to the nearest second. */
  @PrimaryColumn({ type: 'bigint', transformer: bigintAsNumber })
  tick: number;

  @CreateDateColumn({ name: 'claimed_at', type: 'datetime' })
  claimedAt: Date;
}
