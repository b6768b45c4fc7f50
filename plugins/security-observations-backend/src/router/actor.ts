import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Actor } from '../database/applyAssessment';

/**
 * The audit log's actor for a caller of the assessing routes: a user's
 * entity ref, or the subject of a service that was granted the assess
 * permission.
 */
export function actorOf(credentials: BackstageCredentials): Actor {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.type === 'user' && principal.userEntityRef) {
    return { ref: principal.userEntityRef, kind: 'user' };
  }
  return { ref: principal.subject ?? 'unknown', kind: 'service' };
}
