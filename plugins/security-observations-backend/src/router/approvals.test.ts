import { mockCredentials } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  paymentsRef,
  startPermissionedBackend,
} from '../__testUtils__/startPermissionedBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const API = '/api/security-observations';
const alice = mockCredentials.user.header('user:default/alice');
const carol = mockCredentials.user.header('user:default/carol');
const bob = mockCredentials.user.header('user:default/bob');

describe('four-eyes review (securityObservations.assessment.requireApproval)', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'keeps an assessment pending until a different owner approves it, and lets another reject, on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server } = await startPermissionedBackend(knex, {
        securityObservations: { assessment: { requireApproval: true } },
      });
      const imported = await request(server)
        .post(`${API}/v1/imports`)
        .query({ entityRef: paymentsRef })
        .set('Authorization', mockCredentials.service.header())
        .set('Content-Type', 'application/json')
        .send(
          fs.readFileSync(
            path.resolve(
              __dirname,
              '../ingest/parsers/__fixtures__/trivy/image-debian-v1.json',
            ),
            'utf8',
          ),
        );
      expect(imported.status).toBe(201);
      const [first, second] = (
        await knex('observations').orderBy('id').select('id')
      ).map(row => row.id as string);
      const statusOf = async (id: string) =>
        (
          await request(server)
            .get(`${API}/v1/observations/${id}`)
            .set('Authorization', alice)
        ).body.status;

      const requested = await request(server)
        .post(`${API}/v1/observations/${first}/assessments`)
        .set('Authorization', alice)
        .send({ status: 'false_positive', comment: 'Test fixture only' });
      expect(requested.status).toBe(202);
      expect(requested.body).toMatchObject({
        state: 'pending',
        requestedBy: 'user:default/alice',
        observationIds: [first],
      });
      expect(await statusOf(first)).toBe('open');

      const pendingList = await request(server)
        .get(`${API}/v1/pending-assessments`)
        .query({ entityRef: paymentsRef })
        .set('Authorization', bob);
      expect(pendingList.body.items.map((p: any) => p.id)).toEqual([
        requested.body.id,
      ]);

      const selfApproval = await request(server)
        .post(`${API}/v1/pending-assessments/${requested.body.id}/approve`)
        .set('Authorization', alice)
        .send({});
      expect(selfApproval.status).toBe(403);
      expect(selfApproval.body.error.message).toContain(
        'a different user must approve it',
      );
      const byNonOwner = await request(server)
        .post(`${API}/v1/pending-assessments/${requested.body.id}/approve`)
        .set('Authorization', bob)
        .send({});
      expect(byNonOwner.status).toBe(403);
      expect(await statusOf(first)).toBe('open');

      const approved = await request(server)
        .post(`${API}/v1/pending-assessments/${requested.body.id}/approve`)
        .set('Authorization', carol)
        .send({ comment: 'Agreed' });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({
        state: 'approved',
        decidedBy: 'user:default/carol',
      });
      expect(await statusOf(first)).toBe('false_positive');
      const again = await request(server)
        .post(`${API}/v1/pending-assessments/${requested.body.id}/reject`)
        .set('Authorization', carol)
        .send({});
      expect(again.status).toBe(409);

      const events = (
        await request(server)
          .get(`${API}/v1/observations/${first}/events`)
          .set('Authorization', alice)
      ).body.items;
      expect(events.map((e: any) => [e.type, e.actor])).toEqual([
        ['created', 'external:test-service'],
        ['assessment_requested', 'user:default/alice'],
        ['assessed', 'user:default/alice'],
        ['assessment_approved', 'user:default/carol'],
      ]);

      const rejectedRequest = await request(server)
        .post(`${API}/v1/observations/${second}/assessments`)
        .set('Authorization', alice)
        .send({ status: 'not_security', comment: 'Only a lint finding' });
      const rejected = await request(server)
        .post(`${API}/v1/pending-assessments/${rejectedRequest.body.id}/reject`)
        .set('Authorization', carol)
        .send({ comment: 'It is a real vulnerability' });
      expect(rejected.body.state).toBe('rejected');
      expect(await statusOf(second)).toBe('open');
      await knex.destroy();
    },
  );
});
