// Keyset pagination: `limit` plus an opaque `cursor` naming the last item of the previous
// page. Unlike offsets, pages do not shift or repeat while rows are inserted or deleted.
import { Type, type TSchema } from '@sinclair/typebox';
import { errors } from '../errors.ts';

export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'page size' }),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
};

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as `cursor` for the next page; null on the last page' }),
  });

export function encodeCursor(key: string | number): string {
  return Buffer.from(JSON.stringify({ k: key }), 'utf8').toString('base64url');
}

export function decodeCursor<K extends 'string' | 'number'>(cursor: string | undefined, kind: K): (K extends 'string' ? string : number) | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')).k;
    if (typeof key === kind) return key as K extends 'string' ? string : number;
  } catch {
    // fall through: any undecodable cursor is the client's error, not ours
  }
  throw errors.badCursor();
}

/** Repositories are asked for limit + 1 rows; the extra one only says whether a next page exists. */
export function toPage<Row, Item>(rows: Row[], limit: number, keyOf: (row: Row) => string | number, view: (row: Row) => Item): { items: Item[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { items: pageRows.map(view), nextCursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
