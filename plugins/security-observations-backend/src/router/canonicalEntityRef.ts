import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

/** The entity ref in its canonical form, or a 400 naming the field. */
export function canonicalEntityRef(entityRef: string, field: string): string {
  try {
    return stringifyEntityRef(parseEntityRef(entityRef));
  } catch (error) {
    throw new InputError(`${field}: ${(error as Error).message}`);
  }
}
