import { Transform } from 'class-transformer';

/** Trims surrounding white space from string input (non-strings pass through to fail validation). */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** `?flag=true|false` query values as booleans; anything else stays a string and fails @IsBoolean. */
export const QueryBoolean = () =>
  Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

/**
 * A LIKE pattern matching `text` literally anywhere; use with `LIKE :p ESCAPE '!'`. The escape character is
 * `!` because a backslash means different things inside SQLite and MySQL string literals.
 */
export function likePattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (ch) => `!${ch}`)}%`;
}

export const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);
