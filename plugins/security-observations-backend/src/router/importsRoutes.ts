import { HttpAuthService } from '@backstage/backend-plugin-api';
import Router from 'express-promise-router';
import { z } from 'zod';
import { ImportService } from '../ingest/ImportService';
import { REPORT_FORMATS } from '../ingest/parsers';
import { BodyLimits, readReportBody } from './readReportBody';
import { validate } from './validate';

const importQuerySchema = z.object({
  entityRef: z.string().min(1),
  branch: z.string().min(1).max(255).optional(),
  scanner: z.string().min(1).max(128).optional(),
  source: z.string().max(255).optional(),
  format: z.enum(REPORT_FORMATS).optional(),
});

/** `POST /v1/imports`: scanners post raw reports with a static token. */
export function importsRoutes(options: {
  httpAuth: HttpAuthService;
  imports: ImportService;
  limits: BodyLimits;
}) {
  const { httpAuth, imports, limits } = options;
  const router = Router();

  router.post('/v1/imports', async (req, res) => {
    // Static tokens of backend.auth.externalAccess arrive as service principals.
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    const query = validate(importQuerySchema, req.query);
    const result = await imports.importReport({
      ...query,
      report: { body: await readReportBody(req, limits) },
      actor: credentials.principal.subject,
    });
    res.status(201).json(result);
  });

  return router;
}
