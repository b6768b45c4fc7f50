import { CustomErrorBase, serializeError } from '@backstage/errors';
import { ErrorRequestHandler } from 'express';

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
    res.status(error.statusCode).json({
      error: serializeError(error),
      request: { method: req.method, url: req.originalUrl },
      response: { statusCode: error.statusCode },
    });
    return;
  }
  next(error);
};
