import { LoggerService } from '@backstage/backend-plugin-api';
import { waitForEntities } from './securityObservationsDemoData';

const mockLogger = () => {
  const logger = {
    info: jest.fn(),
    warn: jest.fn(),
    error: jest.fn(),
    debug: jest.fn(),
    child: () => logger,
  };
  return logger as typeof logger & LoggerService;
};

describe('waitForEntities', () => {
  const entityRefs = [
    'component:default/checkout-web',
    'component:default/payments-api',
  ];

  /** A catalog that reads one more entity every `everyMs`. */
  function loadingCatalog(everyMs: number) {
    let now = 0;
    const looks: number[] = [];
    return {
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
      looks,
      missingOf: async (refs: string[]) => {
        looks.push(now);
        const loaded = Math.floor(now / everyMs);
        return refs.filter(ref => entityRefs.indexOf(ref) >= loaded);
      },
    };
  }

  it('waits with backoff until the catalog has every entity, saying so once', async () => {
    const logger = mockLogger();
    const catalog = loadingCatalog(5_000);

    const missing = await waitForEntities({
      entityRefs,
      logger,
      maxWaitMs: 60_000,
      ...catalog,
    });

    expect(missing).toEqual([]);
    expect(catalog.looks).toEqual([0, 1_000, 3_000, 7_000, 15_000]);
    expect(logger.info).toHaveBeenCalledTimes(1);
    expect(logger.info).toHaveBeenCalledWith(
      'Waiting for the catalog to load component:default/checkout-web, component:default/payments-api before importing the example reports',
    );
    expect(logger.warn).not.toHaveBeenCalled();
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('does not wait or log when the catalog has them already', async () => {
    const logger = mockLogger();
    const sleep = jest.fn();

    await expect(
      waitForEntities({
        entityRefs,
        logger,
        maxWaitMs: 60_000,
        missingOf: async () => [],
        sleep,
      }),
    ).resolves.toEqual([]);
    expect(sleep).not.toHaveBeenCalled();
    expect(logger.info).not.toHaveBeenCalled();
  });

  it('gives up at the deadline with the entities still missing', async () => {
    const logger = mockLogger();
    const catalog = loadingCatalog(40_000);

    const missing = await waitForEntities({
      entityRefs,
      logger,
      maxWaitMs: 60_000,
      ...catalog,
    });

    expect(missing).toEqual(['component:default/payments-api']);
    expect(catalog.looks.at(-1)).toBe(60_000);
  });
});
