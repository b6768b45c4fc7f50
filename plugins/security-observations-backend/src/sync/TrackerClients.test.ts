import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { readTrackersConfig } from './routing/TrackerConfig';
import { TrackerClients } from './TrackerClients';

describe('TrackerClients', () => {
  const config = new ConfigReader({
    integrations: {
      github: [{ host: 'github.com', token: 'ghp_test_token' }],
    },
    securityObservations: {
      trackers: [{ id: 'github', type: 'github', host: 'github.com' }],
    },
  });

  it('prepares a tracker’s client again after a failed attempt', async () => {
    const creationTimes = jest
      .fn()
      .mockRejectedValueOnce(new Error('Connection terminated'))
      .mockResolvedValue([]);
    const clients = new TrackerClients({
      config,
      trackers: readTrackersConfig(config),
      logger: mockServices.logger.mock(),
      creationTimes,
    });
    await expect(clients.get('github')).rejects.toThrow(
      'Connection terminated',
    );
    const client = await clients.get('github');
    expect(client?.createDelayMs()).toBe(0);
    expect(await clients.get('github')).toBe(client);
  });

  it('re-reads the issues created by every replica before each run', async () => {
    const now = Date.now();
    // 80 creations a minute is GitHub.com's limit: another replica used it.
    const byOthers = Array.from({ length: 80 }, (_, i) => new Date(now - i));
    const creationTimes = jest
      .fn()
      .mockResolvedValueOnce([])
      .mockResolvedValue(byOthers);
    const clients = new TrackerClients({
      config,
      trackers: readTrackersConfig(config),
      logger: mockServices.logger.mock(),
      creationTimes,
    });
    const client = (await clients.get('github'))!;
    expect(client.createDelayMs()).toBe(0);
    await clients.refreshPacing();
    expect(client.createDelayMs()).toBeGreaterThan(59_000);
  });
});
