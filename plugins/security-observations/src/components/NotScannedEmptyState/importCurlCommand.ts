import { Entity } from '@backstage/catalog-model';
import { ANNOTATION_DEFAULT_BRANCH } from 'backstage-plugin-security-observations-common';

/** The branch the entity's reports default to, as the backend decides it. */
export function defaultBranchOf(entity: Entity): string {
  return entity.metadata.annotations?.[ANNOTATION_DEFAULT_BRANCH] || 'main';
}

/**
 * The README's CI upload line ("Send scanner reports from CI") for one
 * entity. Keep the two in step.
 */
export function importCurlCommand(entityRef: string, branch: string): string {
  return [
    'curl --fail-with-body \\',
    `  "$BACKSTAGE_URL/api/security-observations/v1/imports?entityRef=${entityRef}&branch=${branch}" \\`,
    '  -H "Authorization: Bearer $SECURITY_OBSERVATIONS_TOKEN" \\',
    '  -H "Content-Type: application/json" \\',
    '  --data-binary @trivy-results.json',
  ].join('\n');
}
