/** The id of the row an INSERT just wrote: mysql2 answers a result header, better-sqlite3 the row id. */
export function insertedId(raw: unknown): number {
  return Number(typeof raw === 'object' && raw !== null ? (raw as { insertId: number }).insertId : raw);
}
