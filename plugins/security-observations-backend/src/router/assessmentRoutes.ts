import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { Request, Response } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  AssessmentRequest,
  assessmentRequestSchema,
  bulkAssessmentRequestSchema,
  commentRequestSchema,
  observationReadPermission,
} from 'backstage-plugin-security-observations-common';
import { EntityAuthorizer } from '../assessment/EntityAuthorizer';
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';
import { actorOf } from './actor';
import { auditedAction } from './auditedAction';
import { canonicalEntityRef } from './canonicalEntityRef';
import { validate } from './validate';

const decisionRequestSchema = z
  .object({ comment: z.string().trim().min(1).max(10_000).optional() })
  .strict();

/**
 * Assessing observations and commenting on them. Every route checks
 * `security-observations.observation.assess` on the entity, which a
 * service holds only when granted explicitly; a denied call answers 403
 * and changes nothing.
 */
export function assessmentRoutes(options: {
  requireApproval: boolean;
  auditor: AuditorService;
  authorizer: EntityAuthorizer;
  httpAuth: HttpAuthService;
  store: SecurityObservationsStore;
  /** Whether the entity's tracker takes Security-tab comments (`pushComments`). */
  pushesComments: (entityRef: string) => Promise<boolean>;
}) {
  const { requireApproval, auditor, authorizer, httpAuth, store } = options;
  const router = Router();

  /**
   * Applies the assessment, or with four-eyes review stores it for a
   * different user's decision (202).
   */
  const assessOrRequest = async (
    req: Request,
    res: Response,
    credentials: BackstageCredentials,
    entityRef: string,
    observationIds: string[],
    body: AssessmentRequest,
  ) => {
    const actor = actorOf(credentials);
    if (requireApproval) {
      const pending = await auditedAction(
        auditor,
        {
          eventId: 'observation-assess-request',
          request: req,
          meta: { entityRef, observationIds, status: body.status },
        },
        () =>
          store.requestAssessment({
            entityRef,
            observationIds,
            assessment: body,
            actor,
            now: new Date(),
          }),
        result => ({ pendingAssessmentId: result.id }),
      );
      res.status(202).json(pending);
      return;
    }
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
          actor,
          now: new Date(),
        }),
      result => ({ changed: result.length }),
    );
    res.json({ items });
  };

  router.post('/v1/observations/:id/assessments', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const body = validate(assessmentRequestSchema, req.body);
    const observation = await store.getObservation(req.params.id);
    if (!observation) {
      throw new NotFoundError(`No observation ${req.params.id}`);
    }
    await authorizer.authorizeAssessment(observation.entityRef, credentials);
    await assessOrRequest(
      req,
      res,
      credentials,
      observation.entityRef,
      [observation.id],
      body,
    );
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
    await authorizer.authorizeAssessment(entityRef, credentials);
    await assessOrRequest(
      req,
      res,
      credentials,
      entityRef,
      observationIds,
      body,
    );
  });

  router.get('/v1/pending-assessments', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = canonicalEntityRef(
      String(req.query.entityRef ?? ''),
      'entityRef',
    );
    await authorizer.authorize(
      observationReadPermission,
      entityRef,
      credentials,
    );
    res.json({ items: await store.listPendingAssessments(entityRef) });
  });

  for (const [action, decision] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    router.post(`/v1/pending-assessments/:id/${action}`, async (req, res) => {
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const { comment } = validate(decisionRequestSchema, req.body ?? {});
      const pending = await store.getPendingAssessment(req.params.id);
      if (!pending) {
        throw new NotFoundError(`No pending assessment ${req.params.id}`);
      }
      await authorizer.authorizeAssessment(pending.entityRef, credentials);
      const actor = actorOf(credentials);
      if (actor.ref === pending.requestedBy) {
        throw new NotAllowedError(
          `Four-eyes review: ${actor.ref} requested this assessment, so a different user must ${action} it`,
        );
      }
      await auditedAction(
        auditor,
        {
          eventId: `observation-assess-${action}`,
          request: req,
          meta: {
            pendingAssessmentId: pending.id,
            entityRef: pending.entityRef,
          },
        },
        () =>
          store.decideAssessment({
            id: pending.id,
            decision,
            comment,
            actor,
            now: new Date(),
          }),
        () => ({}),
      );
      res.json(await store.getPendingAssessment(pending.id));
    });
  }

  router.post('/v1/observations/:id/comments', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { comment } = validate(commentRequestSchema, req.body);
    const observation = await store.getObservation(req.params.id);
    if (!observation) {
      throw new NotFoundError(`No observation ${req.params.id}`);
    }
    await authorizer.authorizeAssessment(observation.entityRef, credentials);
    const created = await store.addComment({
      observationId: observation.id,
      body: comment,
      actor: actorOf(credentials),
      now: new Date(),
      push: await options.pushesComments(observation.entityRef),
    });
    res.status(201).json(created);
  });

  return router;
}
