import pLimit from 'p-limit';
import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import Router from 'express-promise-router';
import { importCreatePermission } from 'backstage-plugin-security-observations-common';
import { z } from 'zod';
import { EntityAuthorizer } from '../assessment/EntityAuthorizer';
import { ImportService } from '../ingest/ImportService';
import { REPORT_FORMATS } from '../ingest/parsers';
import { BodyLimits, readReportBody } from './readReportBody';
import { auditedAction } from './auditedAction';
import { canonicalEntityRef } from './canonicalEntityRef';
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
  auditor: AuditorService;
  authorizer: EntityAuthorizer;
  httpAuth: HttpAuthService;
  imports: ImportService;
  limits: BodyLimits & {
    /** Imports parsed and stored at once; the rest wait their turn. */
    maxConcurrent: number;
  };
}) {
  const { auditor, authorizer, httpAuth, imports, limits } = options;
  const router = Router();
  // Parsing is CPU-bound and each import holds a pooled connection for its
  // transaction: a few at a time keep reads (and the event loop) answering
  // while a CI fan-out uploads twenty reports at once.
  const importSlots = pLimit(limits.maxConcurrent);

  router.post('/v1/imports', async (req, res) => {
    // Static tokens of backend.auth.externalAccess arrive as service principals.
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    const query = validate(importQuerySchema, req.query);
    // Before the body is read: a token restricted elsewhere uploads nothing.
    await authorizer.authorize(
      importCreatePermission,
      canonicalEntityRef(query.entityRef, 'entityRef'),
      credentials,
    );
    const result = await auditedAction(
      auditor,
      { eventId: 'report-import', request: req, meta: { ...query } },
      async () => {
        const report = await readReportBody(req, limits);
        try {
          return await importSlots(() =>
            imports.importReport({
              ...query,
              report,
              actor: credentials.principal.subject,
            }),
          );
        } finally {
          await report.close();
        }
      },
      ({ importId, format, counts }) => ({ importId, format, counts }),
    );
    res.status(201).json(result);
  });

  return router;
}
