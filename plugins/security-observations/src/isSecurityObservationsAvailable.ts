import { Entity } from '@backstage/catalog-model';

/**
 * Whether the Security tab belongs on this entity's page: scanners report
 * against components, whatever their type.
 * @public
 */
export function isSecurityObservationsAvailable(entity: Entity): boolean {
  return entity.kind.toLocaleLowerCase('en-US') === 'component';
}
