import {
  coreServices,
  createBackendModule,
  LoggerService,
} from '@backstage/backend-plugin-api';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Example backend only: at start-up, posts every report in
 * `securityObservationsDemo.reportsDir` (one folder per component) to the
 * plugin's own import route, with the static token whose subject is
 * `securityObservationsDemo.tokenSubject`, exactly as a CI job would.
 * Retries while the backend starts and the catalog reads the example
 * entities.
 */
export default createBackendModule({
  pluginId: 'security-observations',
  moduleId: 'demo-data',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        lifecycle: coreServices.rootLifecycle,
        logger: coreServices.logger,
      },
      async init({ config, discovery, lifecycle, logger }) {
        const demo = config.getOptionalConfig('securityObservationsDemo');
        if (!demo) {
          return;
        }
        const reportsDir = path.resolve(demo.getString('reportsDir'));
        const subject = demo.getString('tokenSubject');
        const token = config
          .getOptionalConfigArray('backend.auth.externalAccess')
          ?.find(
            entry =>
              entry.getOptionalString('type') === 'static' &&
              entry.getOptionalString('options.subject') === subject,
          )
          ?.getString('options.token');
        if (!token) {
          throw new Error(
            `securityObservationsDemo.tokenSubject: no static token with subject '${subject}' in backend.auth.externalAccess`,
          );
        }

        lifecycle.addStartupHook(() => {
          // In the background: the server may not listen yet.
          void discovery
            .getBaseUrl('security-observations')
            .then(baseUrl => seed({ baseUrl, reportsDir, token, logger }))
            .catch(error =>
              logger.error(`Demo data was not imported: ${error}`),
            );
        });
      },
    });
  },
});

async function seed(options: {
  baseUrl: string;
  reportsDir: string;
  token: string;
  logger: LoggerService;
}) {
  const { baseUrl, reportsDir, token, logger } = options;
  const components = (await fs.readdir(reportsDir, { withFileTypes: true }))
    .filter(entry => entry.isDirectory())
    .map(entry => entry.name)
    .sort();
  for (const component of components) {
    const dir = path.join(reportsDir, component);
    for (const file of (await fs.readdir(dir)).sort()) {
      const query = new URLSearchParams({
        entityRef: `component:default/${component}`,
        source: path.parse(file).name,
      });
      const body = await fs.readFile(path.join(dir, file));
      const answer = await postWithRetry(`${baseUrl}/v1/imports?${query}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body,
      });
      logger.info(
        `Imported example report ${component}/${file}: ${JSON.stringify(
          answer.counts,
        )}`,
      );
    }
  }
}

/** Retries connection errors and 404s (the catalog is still loading) for a minute. */
async function postWithRetry(url: string, init: RequestInit) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(url, init);
      if (response.ok) {
        return response.json();
      }
      if (response.status !== 404 || Date.now() > deadline) {
        throw new Error(`${response.status} ${await response.text()}`);
      }
    } catch (error) {
      if (Date.now() > deadline) {
        throw error;
      }
    }
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
}
