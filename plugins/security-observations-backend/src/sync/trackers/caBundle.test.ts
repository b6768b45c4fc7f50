import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ConfigReader } from '@backstage/config';
import { dispatcherFor, readCaBundle } from './caBundle';

const tls = join(__dirname, '__fixtures__', 'tls');
const ca = readFileSync(join(tls, 'ca.pem'), 'utf8');

describe('a tracker behind a private CA', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer(
      {
        key: readFileSync(join(tls, 'server-key.pem')),
        cert: readFileSync(join(tls, 'server-cert.pem')),
      },
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"ok":true}');
      },
    );
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    url = `https://localhost:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise(resolve => server.close(resolve)));

  it('is reached with the tracker’s CA bundle, and TLS verification stays on for everyone else', async () => {
    const trusted = await fetch(url, {
      dispatcher: dispatcherFor(ca),
    } as RequestInit);
    expect(await trusted.json()).toEqual({ ok: true });

    // Without the bundle (another tracker, the rest of Backstage) the
    // certificate is refused as usual.
    await expect(fetch(url)).rejects.toMatchObject({
      cause: expect.objectContaining({
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      }),
    });
    expect(dispatcherFor(undefined)).toBeUndefined();
  });

  it('keeps the public roots next to the private CA', () => {
    const agent = dispatcherFor(ca) as unknown as {
      [key: symbol]: unknown;
    };
    // undici keeps the connect options; the bundle holds more than ours.
    const options = Object.getOwnPropertySymbols(agent)
      .map(symbol => agent[symbol])
      .find(
        value =>
          typeof value === 'object' &&
          value !== null &&
          'connect' in (value as object),
      ) as { connect: { ca: string[] } } | undefined;
    expect(options?.connect.ca.length).toBeGreaterThan(1);
    expect(options?.connect.ca).toContain(ca);
  });
});

describe('readCaBundle', () => {
  const at = 'securityObservations.trackers[1]';

  it('reads the PEM text or a file', () => {
    expect(readCaBundle(new ConfigReader({ ca }), at)).toBe(ca);
    expect(
      readCaBundle(new ConfigReader({ caFile: join(tls, 'ca.pem') }), at),
    ).toBe(ca);
    expect(readCaBundle(new ConfigReader({}), at)).toBeUndefined();
  });

  it.each([
    [
      'both ca and caFile',
      { ca, caFile: join(tls, 'ca.pem') },
      `${at}: set ca or caFile, not both`,
    ],
    [
      'a file that cannot be read',
      { caFile: join(tls, 'missing.pem') },
      new RegExp(`^${at.replace(/[[\]]/g, '\\$&')}\\.caFile: cannot read`),
    ],
    [
      'text that is no certificate',
      { ca: 'not a certificate' },
      `${at}.ca: expected PEM certificates (-----BEGIN CERTIFICATE-----)`,
    ],
  ])('refuses %s', (_name, config, message) => {
    expect(() => readCaBundle(new ConfigReader(config), at)).toThrow(message);
  });
});
