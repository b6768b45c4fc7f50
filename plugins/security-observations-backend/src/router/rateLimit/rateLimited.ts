import { NextFunction, Request, RequestHandler, Response } from 'express';
import { RequestRateLimiter } from './RequestRateLimiter';

/** Who a request counts against, in words for the 429 answer. */
export interface RateLimitSubject {
  /** The limiter's key: requests with the same key share a window. */
  key: string;
  /** E.g. "the service ci-scanner"; the caller's own identity. */
  description: string;
}

/**
 * Express middleware that answers 429 with a `Retry-After` header (whole
 * seconds) and Backstage's error shape once the request's subject has
 * used up its window; other subjects go on. A request whose subject
 * cannot be told (`subjectOf` resolves undefined) is not counted: the
 * route refuses it, or a limit of its own applies.
 */
export function rateLimited(options: {
  limiter: RequestRateLimiter;
  /** What is limited, e.g. "uploads". */
  what: string;
  subjectOf: (req: Request) => Promise<RateLimitSubject | undefined>;
}): RequestHandler {
  const { limiter, what, subjectOf } = options;
  return (req: Request, res: Response, next: NextFunction) => {
    subjectOf(req).then(subject => {
      if (!subject) {
        next();
        return;
      }
      const decision = limiter.take(subject.key);
      if (decision.allowed) {
        next();
        return;
      }
      const message = `Too many ${what}: ${subject.description} may make ${limiter.limit} a minute; try again in ${decision.retryAfterSeconds} s`;
      res.setHeader('Retry-After', String(decision.retryAfterSeconds));
      res.status(429).json({
        error: { name: 'TooManyRequestsError', message },
        request: { method: req.method, url: req.originalUrl },
        response: { statusCode: 429 },
      });
    }, next);
  };
}
