import { CommonErrors } from '../common/common.errors';
import { problem } from '../common/problem';

/** Feed cursors are opaque to clients: a versioned, base64url-encoded feed position. */
export function encodeCursor(position: number): string {
  return Buffer.from(`v1:${position}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const match = /^v1:(0|[1-9]\d{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || encodeCursor(Number(match[1])) !== cursor) {
    throw problem(CommonErrors.INVALID_CURSOR, 'after is not a cursor this feed handed out; start without it or use next_cursor');
  }
  return Number(match[1]);
}
