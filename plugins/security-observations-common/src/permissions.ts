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
 *
 * Signed-in users are checked by the policy. A service (a static token, a
 * plugin) holds it only when its access restrictions name it explicitly:
 * Backstage allows a service every permission it is not restricted from,
 * and a scanner's token must not be able to assess.
 * @public
 */
export const observationAssessPermission = createPermission({
  name: 'security-observations.observation.assess',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Post a scanner report for an entity (`POST /v1/imports`). Restrict a
 * scanner's static token to this one permission and the token can upload,
 * and do nothing else.
 * @public
 */
export const importCreatePermission = createPermission({
  name: 'security-observations.import.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Delete an entity's observations (`DELETE /v1/observations/:id`): an
 * admin's clean-up of findings that should never have been imported. Their
 * tracker issues are closed as not planned, and the audit log keeps what
 * happened. Like assessing, a service holds it only when its access
 * restrictions name it explicitly.
 * @public
 */
export const observationDeletePermission = createPermission({
  name: 'security-observations.observation.delete',
  attributes: { action: 'delete' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Every permission of the plugin, for registration. @public */
export const securityObservationsPermissions = [
  observationReadPermission,
  observationAssessPermission,
  observationDeletePermission,
  importCreatePermission,
];
