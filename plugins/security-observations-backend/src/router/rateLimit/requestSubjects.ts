import { HttpAuthService } from '@backstage/backend-plugin-api';
import { Request } from 'express';
import { RateLimitSubject } from './rateLimited';

/**
 * The request's principal: a service by its subject (a static token's
 * `options.subject`), a user by entity ref. Undefined when the request has
 * no credentials this plugin accepts: the route answers 401 or 403.
 */
export function principalOf(httpAuth: HttpAuthService) {
  return async (req: Request): Promise<RateLimitSubject | undefined> => {
    try {
      const { principal } = await httpAuth.credentials(req, {
        allow: ['service', 'user'],
      });
      return principal.type === 'user'
        ? {
            key: `user:${principal.userEntityRef}`,
            description: principal.userEntityRef,
          }
        : {
            key: `service:${principal.subject}`,
            description: `the service ${principal.subject}`,
          };
    } catch {
      return undefined;
    }
  };
}

/**
 * A webhook's sender: which tracker type's topic, from which address.
 * Deliveries are counted before their signature is checked, so the
 * address is what identifies them; behind a proxy, `backend.trustProxy`
 * makes it the sender's rather than the proxy's.
 */
export function webhookSenderOf(kind: string) {
  return async (req: Request): Promise<RateLimitSubject> => {
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    return {
      key: `${kind}:${address}`,
      description: `${kind} webhooks from ${address}`,
    };
  };
}
