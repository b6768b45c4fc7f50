import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read an entity's observations, their history and summary.
 *
 * A resource permission on the catalog entity, so a policy can use the
 * catalog's conditions (for example `isEntityOwner`).
 * @public
 */
export const observationReadPermission = createPermission({
  name: 'security-observations.observation.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Assess an entity's observations (status, severity, comments) and trigger
 * its tracker sync.
 * @public
 */
export const observationAssessPermission = createPermission({
  name: 'security-observations.observation.assess',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Every permission of the plugin, for registration. @public */
export const securityObservationsPermissions = [
  observationReadPermission,
  observationAssessPermission,
];
