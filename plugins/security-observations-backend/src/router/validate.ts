import { InputError } from '@backstage/errors';
import { z } from 'zod';
import { fromError } from 'zod-validation-error';

/** Parses request input with a zod schema; a 400 names each bad field. */
export function validate<T extends z.ZodType>(
  schema: T,
  input: unknown,
): z.infer<T> {
  rejectNul(input, '');
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new InputError(fromError(result.error).toString());
  }
  return result.data;
}

/** Nesting followed into request input; deeper input is the schema's to refuse. */
const MAX_DEPTH = 16;

/**
 * A 400 for a U+0000 anywhere in request input (a `%00` in a query
 * parameter, a `\u0000` in a JSON body), naming the field. Postgres text
 * cannot hold it: the query would fail as a 500.
 */
export function rejectNul(input: unknown, field: string, depth = 0): void {
  if (typeof input === 'string') {
    if (input.includes('\u0000')) {
      throw new InputError(
        `${
          field || 'The request'
        }: contains a NUL character (U+0000, %00), which is never valid here`,
      );
    }
    return;
  }
  if (typeof input !== 'object' || input === null || depth >= MAX_DEPTH) {
    return;
  }
  for (const [key, value] of Object.entries(input)) {
    rejectNul(key, field, depth + 1);
    rejectNul(value, field ? `${field}.${key}` : key, depth + 1);
  }
}
