import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Actor } from '../database/applyAssessment';

/** The audit log's actor for the caller: a user's entity ref, or a token subject. */
export function actorOf(credentials: BackstageCredentials): Actor {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.type === 'user' && principal.userEntityRef) {
    return { ref: principal.userEntityRef, kind: 'user' };
  }
  return { ref: principal.subject ?? 'unknown', kind: 'scanner' };
}
