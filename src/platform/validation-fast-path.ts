import type { Type } from '@nestjs/common';

/**
 * Hand-written recognition of plainly valid input, for the DTOs of the hottest routes: class-transformer and
 * class-validator cost a few per cent of a request there. A recogniser returns the instance the global pipe
 * would make of the input (the same class, the same values, defaults included) when the input is plainly
 * valid: exactly the known fields, of the right types, within bounds. For anything else it returns undefined and
 * the pipe validates as for any DTO, so every refusal and its message stays class-validator's.
 * src/platform/validation.pipe.spec.ts holds each recogniser to that against the pipe on a large corpus.
 */
export type Recogniser<T = object> = (input: unknown) => T | undefined;

const fastPaths = new Map<Type, Recogniser>();

/** The DTOs that have a recogniser, each by its exact class (a subclass has fields its parent's does not know). */
export const validationFastPaths: ReadonlyMap<Type, Recogniser> = fastPaths;

/** `@ValidationFastPath(recogniseOrder)` on the DTO class it recognises. */
export const ValidationFastPath =
  <T extends object>(recognise: Recogniser<T>) =>
  (target: Type<T>): void => {
    fastPaths.set(target, recognise);
  };

/**
 * A JSON object or a query object. Fastify's query parser (fast-querystring) makes its objects from a constructor
 * whose prototype is an empty object without a prototype: nothing is inherited, as with Object.create(null).
 */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) return true;
  return Object.getPrototypeOf(prototype) === null && Reflect.ownKeys(prototype as object).length === 0;
}

/** Whether these are exactly the record's own enumerable keys, the ones class-transformer copies. */
export function hasExactlyKeys(record: Record<string, unknown>, ...names: string[]): boolean {
  const keys = Object.keys(record);
  return keys.length === names.length && names.every((name) => keys.includes(name));
}

/** What @IsInt() @Min(min) @Max(max) accept. */
export const isIntIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** How each field of a query DTO reads a plainly valid value: as class-transformer would set it, or undefined. */
export type QueryFields = Readonly<Record<string, (value: string) => unknown>>;

/**
 * A query DTO from a query object whose every parameter is a known field sent once (a repeated parameter is an
 * array) with a plainly valid value; fields not sent keep the class's defaults.
 */
export function recogniseQuery<T extends object>(input: unknown, Dto: new () => T, fields: QueryFields): T | undefined {
  if (!isPlainRecord(input)) return undefined;
  const dto = new Dto();
  for (const key of Object.keys(input)) {
    const value = input[key];
    const read = Object.hasOwn(fields, key) ? fields[key] : undefined;
    const parsed = read && typeof value === 'string' ? read(value) : undefined;
    if (parsed === undefined) return undefined;
    (dto as Record<string, unknown>)[key] = parsed;
  }
  return dto;
}
