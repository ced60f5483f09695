import TestAgent from 'supertest/lib/agent';
import type { Page } from '../../src/common/pagination';

/** What most lists hold: items with an id and a creation time, and more. */
export interface ListItem {
  id: number;
  created_at: string;
  [field: string]: unknown;
}

export type ListPage<T = ListItem> = Page<T>;

/**
 * Follows a list with `after` from its first page until `next_cursor` is null, checking each page on the way:
 * the shape, `offset` 0, and that a page with a next one is full. Returns every item in the order read.
 */
export async function walk<T = ListItem>(
  agent: TestAgent,
  path: string,
  query: Record<string, string | number | boolean> = {},
  limit = 2,
): Promise<{ items: T[]; pages: ListPage<T>[] }> {
  const items: T[] = [];
  const pages: ListPage<T>[] = [];
  const cursors = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page: ListPage<T> = (
      await agent
        .get(path)
        .query({ ...query, limit, ...(after !== undefined && { after }) })
        .expect(200)
    ).body;
    expect(page).toEqual({
      items: expect.any(Array),
      total: expect.any(Number),
      total_exact: expect.any(Boolean),
      limit,
      offset: 0,
      next_cursor: page.next_cursor === null ? null : expect.stringMatching(/^[A-Za-z0-9_-]+$/),
    });
    pages.push(page);
    items.push(...page.items);
    if (page.next_cursor === null) return { items, pages };
    expect(page.items).toHaveLength(limit);
    // a cursor handed out twice would page forever: fail at once rather than at the test's timeout
    if (cursors.has(page.next_cursor)) throw new Error(`${path}: next_cursor ${page.next_cursor} came back again`);
    cursors.add(page.next_cursor);
    after = page.next_cursor;
  }
}

/**
 * The walk read exactly `expected` (ids, in order), in as few pages as `limit` allows, each page telling the
 * same exact total.
 */
export function expectWalked<T>(
  { items, pages }: { items: T[]; pages: ListPage<T>[] },
  expected: number[],
  idOf: (item: T) => number = (item) => (item as { id: number }).id,
): void {
  expect(items.map(idOf)).toEqual(expected);
  const limit = pages[0].limit;
  expect(pages).toHaveLength(Math.max(1, Math.ceil(expected.length / limit)));
  for (const page of pages) expect([page.total, page.total_exact]).toEqual([expected.length, true]);
}

/**
 * For lists shared with other tests (no filter isolates this test's rows): the walk read each item once, as
 * many as the total says, in the list's order (`before(a, b)`: a comes first), and `mine` among them in the order given.
 */
export function expectWalkedInOrder<T>(
  { items, pages }: { items: T[]; pages: ListPage<T>[] },
  mine: number[],
  before: (a: T, b: T) => boolean,
  idOf: (item: T) => number = (item) => (item as { id: number }).id,
): void {
  const ids = items.map(idOf);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.length).toBe(pages[0].total);
  const outOfOrder = items.slice(1).filter((item, i) => !before(items[i], item));
  expect(outOfOrder).toEqual([]);
  expect(ids.filter((id) => mine.includes(id))).toEqual(mine);
}

/** Newest first by created_at, then id: does `a` come before `b`? */
export const newerFirst = (a: { created_at: string; id: number }, b: { created_at: string; id: number }) =>
  a.created_at > b.created_at || (a.created_at === b.created_at && a.id > b.id);
