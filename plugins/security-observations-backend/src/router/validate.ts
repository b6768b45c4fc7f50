import { InputError } from '@backstage/errors';
import { z } from 'zod';
import { fromError } from 'zod-validation-error';

/** Parses request input with a zod schema; a 400 names each bad field. */
export function validate<T extends z.ZodType>(
  schema: T,
  input: unknown,
): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new InputError(fromError(result.error).toString());
  }
  return result.data;
}
