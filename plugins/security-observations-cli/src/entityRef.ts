import { usageError } from './errors';

export interface EntityRef {
  kind: string;
  namespace: string;
  name: string;
}

const EXAMPLE = 'component:default/payments-api';

/**
 * Reads `--entity` as the catalog does (`kind:namespace/name`, where the
 * namespace may be left out for `default`), but insists on the kind: the
 * backend needs it, and a bare name would only be refused there.
 */
export function parseEntityRef(value: string): EntityRef {
  const ref = value.trim();
  let colon = ref.indexOf(':');
  const slash = ref.indexOf('/');
  // A colon after the slash belongs to the name.
  if (slash !== -1 && slash < colon) colon = -1;
  const kind = colon === -1 ? '' : ref.slice(0, colon);
  const namespace = slash === -1 ? 'default' : ref.slice(colon + 1, slash);
  const name = ref.slice(Math.max(colon + 1, slash + 1));
  if (!kind || !namespace || !name) {
    throw usageError(
      `--entity '${value}' is not a full entity ref: write kind:namespace/name as the catalog shows it, e.g. ${EXAMPLE}`,
    );
  }
  return { kind, namespace, name };
}

/** The form the backend stores and answers with: kind and namespace lower case. */
export function stringifyEntityRef(ref: EntityRef): string {
  return `${ref.kind.toLowerCase()}:${ref.namespace.toLowerCase()}/${ref.name}`;
}

/**
 * The entity's Security tab in the Backstage app, as the catalog routes
 * entity pages: `/catalog/<namespace>/<kind>/<name>/security`.
 */
export function securityTabUrl(appUrl: string, ref: EntityRef): string {
  const segments = [
    ref.namespace.toLowerCase(),
    ref.kind.toLowerCase(),
    ref.name,
  ].map(encodeURIComponent);
  return `${appUrl}/catalog/${segments.join('/')}/security`;
}
