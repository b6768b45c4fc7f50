import { usePermission } from '@backstage/plugin-permission-react';
import { useMemo } from 'react';
import { observationAssessPermission } from 'backstage-plugin-security-observations-common';

/** Why assessment controls are disabled for a user who may not assess. */
export const ASSESS_PERMISSION_REQUIRED = `You need the ${observationAssessPermission.name} permission on this entity`;

/** Whether the user may assess this entity's observations, and if not, why. */
export interface AssessPermission {
  allowed: boolean;
  /** Set whenever `allowed` is false: the tooltip of disabled controls. */
  disabledReason?: string;
}

/**
 * The assess permission is a catalog-entity resource permission, so the
 * decision (e.g. "owners only") is made per entity by the policy. The
 * answer stays the same object until the decision changes, so the
 * components it is passed to need not render again.
 */
export function useAssessPermission(entityRef: string): AssessPermission {
  const { allowed, loading } = usePermission({
    permission: observationAssessPermission,
    resourceRef: entityRef,
  });
  return useMemo(() => {
    if (loading) {
      return { allowed: false, disabledReason: 'Checking your permissions…' };
    }
    return allowed
      ? { allowed: true }
      : { allowed: false, disabledReason: ASSESS_PERMISSION_REQUIRED };
  }, [allowed, loading]);
}
