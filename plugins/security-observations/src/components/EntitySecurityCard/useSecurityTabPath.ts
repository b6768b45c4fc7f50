import { Entity } from '@backstage/catalog-model';
import { useRouteRef } from '@backstage/core-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';

/** Where the Security tab is mounted below the entity page, in both apps. */
export const SECURITY_TAB_PATH = 'security';

/** The path of the entity's Security tab, for links from elsewhere. */
export function useSecurityTabPath(entity: Entity): string {
  const entityRoute = useRouteRef(entityRouteRef);
  return `${entityRoute(
    entityRouteParams(entity, { encodeParams: true }),
  )}/${SECURITY_TAB_PATH}`;
}
