import { EntityManager } from 'typeorm';

/**
 * A time read from the database's clock: UTC with milliseconds, 'YYYY-MM-DD HH:MM:SS.mmm', the form the
 * datetime columns hold on both engines. Only ever compared with columns, in SQL.
 */
export type DatabaseTime = string;

const NOW_SQL: Record<string, string> = {
  mysql: 'UTC_TIMESTAMP(3)',
  'better-sqlite3': "strftime('%Y-%m-%d %H:%M:%f', 'now')",
};

/**
 * SQL for the database's current time. Times that instances compare with each other are taken from here:
 * application clocks on several hosts disagree, the database's clock is one.
 */
export function nowSql(manager: EntityManager): string {
  return NOW_SQL[manager.connection.options.type];
}

export async function databaseNow(manager: EntityManager): Promise<DatabaseTime> {
  const [row] = await manager.query(`SELECT CAST(${nowSql(manager)} AS CHAR) AS now`);
  return String((row as { now: string }).now);
}
