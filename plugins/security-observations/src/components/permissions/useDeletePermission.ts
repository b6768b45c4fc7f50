import { usePermission } from '@backstage/plugin-permission-react';
import { observationDeletePermission } from 'backstage-plugin-security-observations-common';

/**
 * Whether the user may delete this entity's observations: false while the
 * decision loads, or when the policy denies it. Deleting is an admin's
 * clean-up, so its controls are left out for everyone else rather than
 * shown disabled.
 */
export function useDeletePermission(entityRef: string): boolean {
  return usePermission({
    permission: observationDeletePermission,
    resourceRef: entityRef,
  }).allowed;
}
