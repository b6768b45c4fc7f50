import { parseEntityRef } from '@backstage/catalog-model';

/** Jira refuses longer labels. */
const JIRA_LABEL_MAX = 255;

/**
 * A label Jira accepts: no whitespace (Jira refuses a label with a space),
 * at most 255 characters. `needs triage` becomes `needs-triage`.
 */
export function jiraSafeLabel(label: string): string {
  return label.trim().replace(/\s+/g, '-').slice(0, JIRA_LABEL_MAX);
}

/**
 * The label that names the catalog entity on its issues: several
 * components may route to one Jira project, and each team filters its own
 * by it (`payments-api`, or `team-a.payments-api` outside the default
 * namespace).
 */
export function entityLabel(entityRef: string): string {
  const { namespace, name } = parseEntityRef(entityRef);
  return jiraSafeLabel(namespace === 'default' ? name : `${namespace}.${name}`);
}
