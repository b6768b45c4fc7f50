import {
  AuthenticationError,
  CustomErrorBase,
  isError,
  ServiceUnavailableError,
  serializeError,
} from '@backstage/errors';
import { ErrorRequestHandler, Request, Response } from 'express';
import { isDatabaseConnectionLost } from './databaseConnectionLost';

/**
 * Errors with statuses that `@backstage/errors` has no class for. They are
 * answered here in Backstage's error shape; everything else goes on to the
 * backend's own error handler.
 */
export class PayloadTooLargeError extends CustomErrorBase {
  name = 'PayloadTooLargeError' as const;
  readonly statusCode = 413;
}

export class UnsupportedMediaTypeError extends CustomErrorBase {
  name = 'UnsupportedMediaTypeError' as const;
  readonly statusCode = 415;
}

/** Where a scanner's token comes from, for the 401 of the import route. */
const SCANNER_TOKEN_HINT =
  "scanners send 'Authorization: Bearer <token>' with a static token of " +
  'backend.auth.externalAccess in the app-config (type: static); check ' +
  "that the scanner's token is one of those and has no stray spaces or " +
  'line breaks (see "Install into your Backstage" in the README)';

function respond(
  req: Request,
  res: Response,
  statusCode: number,
  error: Error,
): void {
  res.status(statusCode).json({
    error: serializeError(error),
    request: { method: req.method, url: req.originalUrl },
    response: { statusCode },
  });
}

export const httpErrorHandler: ErrorRequestHandler = (
  error,
  req,
  res,
  next,
) => {
  if (
    error instanceof PayloadTooLargeError ||
    error instanceof UnsupportedMediaTypeError
  ) {
    respond(req, res, error.statusCode, error);
    return;
  }
  // Backstage's "Illegal token" (or "Missing credentials") says nothing of
  // where a scanner's token is configured: the import route says it.
  if (
    isError(error) &&
    error.name === 'AuthenticationError' &&
    req.method === 'POST' &&
    req.path === '/v1/imports'
  ) {
    respond(
      req,
      res,
      401,
      new AuthenticationError(`${error.message}: ${SCANNER_TOKEN_HINT}`),
    );
    return;
  }
  if (isDatabaseConnectionLost(error)) {
    res.setHeader('Retry-After', '5');
    respond(
      req,
      res,
      503,
      new ServiceUnavailableError(
        'The database connection was lost before the request was done; nothing of it was stored. Send it again.',
        error,
      ),
    );
    return;
  }
  next(error);
};
