import {
  AuthService,
  coreServices,
  createBackendModule,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Example backend only: at start-up, posts every report in
 * `securityObservationsDemo.reportsDir` (one folder per component) to the
 * plugin's own import route, with the static token whose subject is
 * `securityObservationsDemo.tokenSubject`, exactly as a CI job would.
 * First it waits for the catalog to have read the example components, so
 * that no import is refused for an entity the catalog does not have yet.
 */
export default createBackendModule({
  pluginId: 'security-observations',
  moduleId: 'demo-data',
  register(reg) {
    reg.registerInit({
      deps: {
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        lifecycle: coreServices.rootLifecycle,
        logger: coreServices.logger,
      },
      async init({ auth, config, discovery, lifecycle, logger }) {
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
          // In the background: the catalog reads its locations after start-up.
          void seed({ auth, discovery, reportsDir, token, logger }).catch(
            error => logger.warn(`Example reports were not imported: ${error}`),
          );
        });
      },
    });
  },
});

/** How long the importer waits for the catalog before it gives up. */
const CATALOG_WAIT_MS = 5 * 60_000;

async function seed(options: {
  auth: AuthService;
  discovery: DiscoveryService;
  reportsDir: string;
  token: string;
  logger: LoggerService;
}) {
  const { auth, discovery, reportsDir, token, logger } = options;
  const components = (await fs.readdir(reportsDir, { withFileTypes: true }))
    .filter(entry => entry.isDirectory())
    .map(entry => entry.name)
    .sort();
  const refOf = (component: string) => `component:default/${component}`;

  const catalogUrl = await discovery.getBaseUrl('catalog');
  const missing = await waitForEntities({
    entityRefs: components.map(refOf),
    missingOf: entityRefs =>
      missingFromCatalog({ auth, catalogUrl, entityRefs }),
    logger,
    maxWaitMs: CATALOG_WAIT_MS,
  });
  if (missing.length > 0) {
    logger.warn(
      `The catalog has no ${missing.join(', ')} after ${
        CATALOG_WAIT_MS / 60_000
      } minutes: their example reports are not imported`,
    );
  }

  const baseUrl = await discovery.getBaseUrl('security-observations');
  for (const component of components) {
    if (missing.includes(refOf(component))) continue;
    const dir = path.join(reportsDir, component);
    for (const file of (await fs.readdir(dir)).sort()) {
      const query = new URLSearchParams({
        entityRef: refOf(component),
        source: path.parse(file).name,
      });
      const response = await fetch(`${baseUrl}/v1/imports?${query}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: await fs.readFile(path.join(dir, file)),
      });
      const answer = await response.json().catch(() => ({}));
      if (response.ok) {
        logger.info(
          `Imported example report ${component}/${file}: ${JSON.stringify(
            answer.counts,
          )}`,
        );
      } else {
        logger.warn(
          `Example report ${component}/${file} was not imported: ${
            response.status
          } ${answer.error?.message ?? response.statusText}`,
        );
      }
    }
  }
}

/**
 * Which of the entities the catalog does not have (yet). A catalog that
 * does not answer yet (the server is starting) has none of them.
 */
async function missingFromCatalog(options: {
  auth: AuthService;
  catalogUrl: string;
  entityRefs: string[];
}): Promise<string[]> {
  const { auth, catalogUrl, entityRefs } = options;
  const { token } = await auth.getPluginRequestToken({
    onBehalfOf: await auth.getOwnServiceCredentials(),
    targetPluginId: 'catalog',
  });
  try {
    const response = await fetch(`${catalogUrl}/entities/by-refs`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ entityRefs, fields: ['metadata.name'] }),
    });
    if (!response.ok) return entityRefs;
    const { items } = (await response.json()) as { items: unknown[] };
    return entityRefs.filter((_, index) => !items[index]);
  } catch {
    return entityRefs;
  }
}

/**
 * Polls until the catalog has every entity, with backoff (1 s, doubling,
 * at most 15 s between looks), saying once that it waits. Resolves with
 * those still missing when `maxWaitMs` is over.
 */
export async function waitForEntities(options: {
  entityRefs: string[];
  missingOf: (entityRefs: string[]) => Promise<string[]>;
  logger: LoggerService;
  maxWaitMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}): Promise<string[]> {
  const { logger, maxWaitMs } = options;
  const sleep =
    options.sleep ??
    ((ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const deadline = now() + maxWaitMs;
  let missing = await options.missingOf(options.entityRefs);
  if (missing.length > 0) {
    logger.info(
      `Waiting for the catalog to load ${missing.join(
        ', ',
      )} before importing the example reports`,
    );
  }
  for (let delayMs = 1000; missing.length > 0 && now() < deadline; ) {
    await sleep(Math.min(delayMs, Math.max(0, deadline - now())));
    delayMs = Math.min(delayMs * 2, 15_000);
    missing = await options.missingOf(missing);
  }
  return missing;
}
