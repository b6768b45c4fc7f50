import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import Router from 'express-promise-router';
import {
  assessmentRequestSchema,
  bulkAssessmentRequestSchema,
  commentRequestSchema,
  observationAssessPermission,
} from 'backstage-plugin-security-observations-common';
import { EntityAuthorizer } from '../assessment/EntityAuthorizer';
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';
import { actorOf } from './actor';
import { auditedAction } from './auditedAction';
import { canonicalEntityRef } from './canonicalEntityRef';
import { validate } from './validate';

/**
 * Assessing observations and commenting on them. Every route checks
 * `security-observations.observation.assess` on the entity; a denied call
 * answers 403 and changes nothing.
 */
export function assessmentRoutes(options: {
  auditor: AuditorService;
  authorizer: EntityAuthorizer;
  httpAuth: HttpAuthService;
  store: SecurityObservationsStore;
}) {
  const { auditor, authorizer, httpAuth, store } = options;
  const router = Router();

  router.post('/v1/observations/:id/assessments', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const body = validate(assessmentRequestSchema, req.body);
    const observation = await store.getObservation(req.params.id);
    if (!observation) {
      throw new NotFoundError(`No observation ${req.params.id}`);
    }
    await authorizer.authorize(
      observationAssessPermission,
      observation.entityRef,
      credentials,
    );
    const items = await auditedAction(
      auditor,
      {
        eventId: 'observation-assess',
        request: req,
        meta: {
          entityRef: observation.entityRef,
          observationIds: [observation.id],
          status: body.status,
        },
      },
      () =>
        store.applyAssessment({
          ...body,
          entityRef: observation.entityRef,
          observationIds: [observation.id],
          actor: actorOf(credentials),
          now: new Date(),
        }),
      result => ({ changed: result.length }),
    );
    res.json({ items });
  });

  router.post('/v1/assessments', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const {
      entityRef: rawRef,
      observationIds,
      ...body
    } = validate(bulkAssessmentRequestSchema, req.body);
    const entityRef = canonicalEntityRef(rawRef, 'entityRef');
    await authorizer.authorize(
      observationAssessPermission,
      entityRef,
      credentials,
    );
    const items = await auditedAction(
      auditor,
      {
        eventId: 'observation-assess',
        request: req,
        meta: { entityRef, observationIds, status: body.status },
      },
      () =>
        store.applyAssessment({
          ...body,
          entityRef,
          observationIds,
          actor: actorOf(credentials),
          now: new Date(),
        }),
      result => ({ changed: result.length }),
    );
    res.json({ items });
  });

  router.post('/v1/observations/:id/comments', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { comment } = validate(commentRequestSchema, req.body);
    const observation = await store.getObservation(req.params.id);
    if (!observation) {
      throw new NotFoundError(`No observation ${req.params.id}`);
    }
    await authorizer.authorize(
      observationAssessPermission,
      observation.entityRef,
      credentials,
    );
    const created = await store.addComment({
      observationId: observation.id,
      body: comment,
      actor: actorOf(credentials),
      now: new Date(),
    });
    res.status(201).json(created);
  });

  return router;
}
