import { Knex } from 'knex';
import request from 'supertest';
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  READER_TOKEN,
  SCANNER_TOKEN,
  startPluginBackend,
} from '../../../__testUtils__/startPluginBackend';

export const IMPORTS = '/api/security-observations/v1/imports';
export const ENTITY_REF = 'component:default/payments-api';

/** superagent would JSON-encode a Buffer under a JSON content type. */
const raw = (body: unknown) => body as string;

export interface PostOptions {
  query?: Record<string, string>;
  /** `null` sends none. */
  contentType?: string | null;
  contentEncoding?: string;
}

type DatabaseId = Parameters<TestDatabases['init']>[0];

/**
 * The plugin in a test backend on one database, for the hostile-input
 * suites: post a report through the real import route, read through the
 * real read routes, and check that a refused request left the backend
 * answering and every table of the plugin's database as it was.
 */
export class HostileBackend {
  private tableNames?: string[];

  private constructor(
    readonly knex: Knex,
    readonly server: Parameters<typeof request>[0],
    private readonly stopBackend: () => Promise<void>,
  ) {}

  static async start(
    databases: TestDatabases,
    databaseId: DatabaseId,
    config?: Record<string, unknown>,
  ): Promise<HostileBackend> {
    const knex = await databases.init(databaseId);
    const backend = await startPluginBackend({
      knex,
      config: {
        ...config,
        securityObservations: {
          // The suites post hundreds of reports a minute as one scanner.
          rateLimits: { imports: { requestsPerMinute: 1_000_000 } },
          ...(config?.securityObservations as object),
        },
      },
    });
    return new HostileBackend(knex, backend.server, () => backend.stop());
  }

  async stop(): Promise<void> {
    await this.stopBackend();
    await this.knex.destroy();
  }

  post(body: Buffer | string, options: PostOptions = {}) {
    const req = request(this.server)
      .post(IMPORTS)
      .query({ entityRef: ENTITY_REF, ...options.query })
      .set('Authorization', `Bearer ${SCANNER_TOKEN}`);
    if (options.contentType !== null) {
      req.set('Content-Type', options.contentType ?? 'application/json');
    }
    if (options.contentEncoding) {
      req.set('Content-Encoding', options.contentEncoding);
    }
    return req.serialize(raw).send(Buffer.from(body));
  }

  /** A GET of the plugin's API with an unrestricted static token. */
  get(path: string, query: Record<string, string> = {}) {
    return request(this.server)
      .get(`/api/security-observations${path}`)
      .query(query)
      .set('Authorization', `Bearer ${READER_TOKEN}`);
  }

  /** Every observation of the test entity, all pages. */
  async observations(query: Record<string, string> = {}): Promise<any[]> {
    const items: any[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.get('/v1/observations', {
        entityRef: ENTITY_REF,
        limit: '500',
        ...query,
        ...(cursor ? { cursor } : {}),
      });
      if (page.status !== 200) {
        throw new Error(`Listing answered ${page.status}: ${page.text}`);
      }
      items.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    return items;
  }

  /** The tables of the plugin's database, Knex's own left out. */
  async tables(): Promise<string[]> {
    const client = this.knex.client.config.client as string;
    const names: string[] = /sqlite/.test(client)
      ? (
          await this.knex('sqlite_master').where('type', 'table').select('name')
        ).map((row: { name: string }) => row.name)
      : (
          await this.knex('information_schema.tables')
            .whereRaw('table_schema = current_schema()')
            .andWhere('table_type', 'BASE TABLE')
            .select('table_name as name')
        ).map((row: { name: string }) => row.name);
    return names
      .filter(name => !/^(knex_|sqlite_)/.test(name))
      .sort((a, b) => a.localeCompare(b));
  }

  /** The row count of every table, in one statement. */
  async rowCounts(): Promise<Record<string, number>> {
    this.tableNames ??= await this.tables();
    const names = this.tableNames;
    const result = await this.knex.raw(
      `select ${names.map(() => '(select count(*) from ??) as ??').join(', ')}`,
      names.flatMap((table, index) => [table, `t${index}`]),
    );
    // Postgres answers { rows }, SQLite the rows.
    const [row] = Array.isArray(result) ? result : result.rows;
    return Object.fromEntries(
      names.map((table, index) => [table, Number(row[`t${index}`])]),
    );
  }

  /**
   * Whether the backend still answers its health route and an
   * authenticated read: `true`, or what it answered instead.
   */
  async answering(): Promise<true | string> {
    const health = await request(this.server).get(
      '/api/security-observations/health',
    );
    const list = await this.get('/v1/observations', {
      entityRef: ENTITY_REF,
      limit: '1',
    });
    return health.status === 200 && list.status === 200
      ? true
      : `health ${health.status}, list ${list.status} ${list.text}`;
  }

  /**
   * Runs `send` (a request the backend should refuse) and says what came
   * of it: the status and message, whether the backend answers afterwards,
   * and the tables whose row count it changed. See `refused`.
   */
  async refusal(
    send: () => PromiseLike<{ status: number; body: any }>,
  ): Promise<Refusal> {
    const before = await this.rowCounts();
    const res = await send();
    const answering = await this.answering();
    const after = await this.rowCounts();
    const tableChanges = Object.fromEntries(
      Object.keys({ ...before, ...after })
        .filter(table => before[table] !== after[table])
        .map(table => [table, { before: before[table], after: after[table] }]),
    );
    return {
      status: res.status,
      message: res.body?.error?.message,
      answering,
      tableChanges,
    };
  }
}

/** What came of a request the backend should refuse. */
export interface Refusal {
  status: number;
  message: string | undefined;
  answering: true | string;
  tableChanges: Record<string, { before: number; after: number }>;
}

/**
 * A clean refusal: `status` (a 4xx), a message that is or matches
 * `message`, the backend still answering, and no table changed.
 */
export function refused(status: number, message: string | RegExp): Refusal {
  return {
    status,
    message:
      typeof message === 'string' ? message : expect.stringMatching(message),
    answering: true,
    tableChanges: {},
  };
}

/**
 * Registers a backend per supported database for the `describe` it is
 * called in; the tests reach it once `beforeAll` ran.
 */
export function useHostileBackend(
  databases: TestDatabases,
  databaseId: DatabaseId,
  config?: Record<string, unknown>,
): () => HostileBackend {
  let backend: HostileBackend | undefined;
  beforeAll(async () => {
    backend = await HostileBackend.start(databases, databaseId, config);
  });
  afterAll(async () => {
    await backend?.stop();
  });
  return () => {
    if (!backend) throw new Error('the backend did not start');
    return backend;
  };
}
