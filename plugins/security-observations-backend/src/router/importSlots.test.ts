import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import express from 'express';
import request from 'supertest';
import { EntityAuthorizer } from '../assessment/EntityAuthorizer';
import { ImportService } from '../ingest/ImportService';
import { importsRoutes } from './importsRoutes';

/**
 * A CI fan-out posts many reports at once. Parsing is CPU-bound and each
 * import holds a database connection, so only maxConcurrent run at a time;
 * the others wait their turn instead of failing.
 */
describe('imports beyond maxConcurrent', () => {
  function appWith(maxConcurrent: number) {
    let running = 0;
    let mostAtOnce = 0;
    const releases: Array<() => void> = [];
    const imports = {
      importReport: jest.fn(async () => {
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        await new Promise<void>(resolve => releases.push(resolve));
        running -= 1;
        return {
          importId: 'import-1',
          format: 'trivy',
          counts: {
            new: 1,
            updated: 0,
            unchanged: 0,
            resolved: 0,
            reopened: 0,
          },
        };
      }),
    } as unknown as ImportService;
    const app = express();
    app.use(
      '/',
      importsRoutes({
        auditor: mockServices.auditor.mock(),
        authorizer: {
          authorize: async () => {},
        } as unknown as EntityAuthorizer,
        httpAuth: mockServices.httpAuth({
          defaultCredentials: mockCredentials.service('ci-scanner'),
        }),
        imports,
        limits: {
          maxReportBytes: 1024 * 1024,
          maxDecompressedReportBytes: 1024 * 1024,
          maxConcurrent,
        },
      }),
    );
    app.use(
      MiddlewareFactory.create({
        config: mockServices.rootConfig(),
        logger: mockServices.logger.mock(),
      }).error(),
    );
    return {
      app,
      imports,
      releases,
      mostAtOnce: () => mostAtOnce,
    };
  }

  const upload = (app: express.Express) =>
    request(app)
      .post('/v1/imports?entityRef=component:default/payments-api&format=trivy')
      .set('content-type', 'application/json')
      .send({ SchemaVersion: 2, Results: [] })
      .then(response => response);

  /** Waits until the fake has been entered `count` times. */
  async function entered(imports: ImportService, count: number) {
    while ((imports.importReport as jest.Mock).mock.calls.length < count) {
      await new Promise(resolve => setTimeout(resolve, 5));
    }
  }

  it('runs two at a time and answers every upload once its turn came', async () => {
    const { app, imports, releases, mostAtOnce } = appWith(2);
    const answers = Promise.all(Array.from({ length: 5 }, () => upload(app)));

    await entered(imports, 2);
    // The others wait: nobody let the first two finish yet.
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(imports.importReport).toHaveBeenCalledTimes(2);

    // Each finished import lets one waiting upload in.
    for (let done = 0; done < 5; done++) {
      await entered(imports, Math.min(5, done + 2));
      releases.shift()!();
    }
    const responses = await answers;
    expect(responses.map(response => response.status)).toEqual([
      201, 201, 201, 201, 201,
    ]);
    expect(mostAtOnce()).toBe(2);
  });

  it('lets a waiting upload in when an import in front of it failed', async () => {
    const { app, imports } = appWith(1);
    (imports.importReport as jest.Mock).mockRejectedValueOnce(
      new Error('connection terminated'),
    );
    (imports.importReport as jest.Mock).mockResolvedValueOnce({
      importId: 'import-2',
      format: 'trivy',
      counts: { new: 0, updated: 0, unchanged: 0, resolved: 0, reopened: 0 },
    });
    const [failed, next] = await Promise.all([upload(app), upload(app)]);
    expect(failed.status).toBe(500);
    expect(next.status).toBe(201);
  });
});
