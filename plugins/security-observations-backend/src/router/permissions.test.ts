import { mockCredentials } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  paymentsRef as entityRef,
  startPermissionedBackend,
} from '../__testUtils__/startPermissionedBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

describe('permissions on the reading routes', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'lets readers read and answers 403 to a denied user on every route, on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server } = await startPermissionedBackend(knex);

      const imported = await request(server)
        .post('/api/security-observations/v1/imports')
        .query({ entityRef })
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
      const [{ id }] = await knex('observations').select('id').limit(1);

      const routes = [
        `/v1/observations?entityRef=${encodeURIComponent(entityRef)}`,
        `/v1/observations/${id}`,
        `/v1/observations/${id}/events`,
        `/v1/observations/${id}/comments`,
        `/v1/entities/${encodeURIComponent(entityRef)}/summary`,
        `/v1/entities/${encodeURIComponent(entityRef)}/trend?days=30`,
      ];
      for (const route of routes) {
        const asBob = await request(server)
          .get(`/api/security-observations${route}`)
          .set(
            'Authorization',
            mockCredentials.user.header('user:default/bob'),
          );
        expect({ route, status: asBob.status }).toEqual({ route, status: 200 });

        const asMallory = await request(server)
          .get(`/api/security-observations${route}`)
          .set(
            'Authorization',
            mockCredentials.user.header('user:default/mallory'),
          );
        expect({ route, status: asMallory.status }).toEqual({
          route,
          status: 403,
        });
        expect(asMallory.body.error.message).toBe(
          `Not allowed: security-observations.observation.read on ${entityRef}`,
        );
      }
      await knex.destroy();
    },
  );
});

describe('"Sync now"', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'answers an owner what keeps the entity from syncing, and a non-owner 403, on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server } = await startPermissionedBackend(knex);
      const sync = (user: string) =>
        request(server)
          .post(
            `/api/security-observations/v1/entities/${encodeURIComponent(
              entityRef,
            )}/sync`,
          )
          .set('Authorization', mockCredentials.user.header(user));

      const asOwner = await sync('user:default/alice');
      expect(asOwner.status).toBe(409);
      expect(asOwner.body.error.message).toBe(
        `Cannot sync ${entityRef}: it names no tracker (no github.com/project-slug, gitlab.com/project-slug or jira/project-key annotation)`,
      );
      const asBob = await sync('user:default/bob');
      expect(asBob.status).toBe(403);
      await knex.destroy();
    },
  );
});
