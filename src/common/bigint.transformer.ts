import { ValueTransformer } from 'typeorm';

/** mysql2 returns BIGINT as a string; amounts here stay far below 2^53, so a number is exact. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
