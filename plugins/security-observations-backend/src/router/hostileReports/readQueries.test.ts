import { createTestDatabases } from '../../__testUtils__/testDatabases';
import {
  ENTITY_REF,
  refused,
  useHostileBackend,
} from './__testUtils__/hostileBackend';

jest.setTimeout(60_000);

const cursorOf = (value: unknown) =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

/** Twelve findings of one scanner, so that lists have several pages. */
const report = JSON.stringify({
  version: '2.1.0',
  runs: [
    {
      tool: { driver: { name: 'semgrep' } },
      results: Array.from({ length: 12 }, (_, index) => ({
        ruleId: `rule-${index % 3}`,
        level: ['error', 'warning', 'note'][index % 3],
        message: { text: `Finding number ${index}` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: `src/file${index}.ts` },
              region: { startLine: index + 1 },
            },
          },
        ],
      })),
    },
  ],
});

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())(
  'hostile queries of the read routes, on %s',
  id => {
    const backend = useHostileBackend(databases, id);
    const list = (query: Record<string, string>) =>
      backend().get('/v1/observations', { entityRef: ENTITY_REF, ...query });

    beforeAll(async () => {
      const res = await backend().post(report);
      if (res.status !== 201) throw new Error(`Import answered ${res.status}`);
    });

    it.each([
      ['missing', {}, /at "entityRef"/],
      ['empty', { entityRef: '' }, /at "entityRef"/],
      ['not a ref', { entityRef: 'component:default/' }, /^entityRef: /],
      [
        'with a NUL',
        { entityRef: `${ENTITY_REF}\u0000` },
        /^entityRef: contains a NUL character/,
      ],
      ['an array', { 'entityRef[]': ENTITY_REF }, /at "entityRef"/],
    ])(
      'refuses a %s entityRef with 400 naming it',
      async (_name, query, message) => {
        expect(
          await backend().refusal(() =>
            backend().get('/v1/observations', query),
          ),
        ).toEqual(refused(400, message));
      },
    );

    it.each([['1e9'], ['0'], ['-1'], ['1.5'], ['ten'], ['']])(
      'refuses limit=%s with 400 naming limit (1 to 500)',
      async limit => {
        expect(await backend().refusal(() => list({ limit }))).toEqual(
          refused(400, /at "limit"/),
        );
      },
    );

    it.each([
      ['garbage', 'not a cursor at all'],
      ['base64 of garbage', Buffer.from('{"v":').toString('base64url')],
      [
        'a word where the severity rank is',
        cursorOf({ v: 'critical', id: 'x' }),
      ],
      ['a rank that is no integer', cursorOf({ v: 1.5, id: 'x' })],
      ['a value that is an object', cursorOf({ v: { $gt: '' }, id: 'x' })],
      ['no id', cursorOf({ v: 1 })],
      ['an id too long to be one', cursorOf({ v: 1, id: 'x'.repeat(65) })],
      [
        'prototype keys',
        cursorOf(JSON.parse('{"__proto__":{"v":1,"id":"x"}}')),
      ],
    ])('refuses a forged cursor (%s) with 400', async (_name, cursor) => {
      expect(await backend().refusal(() => list({ cursor }))).toEqual(
        refused(
          400,
          /^cursor: not a cursor this API returned for sort=severity; pass the nextCursor of the previous page, with the same sort$|at "cursor"/,
        ),
      );
    });

    it('refuses a date cursor that is no date, where Postgres would fail', async () => {
      expect(
        await backend().refusal(() =>
          list({
            sort: '-lastSeenAt',
            cursor: cursorOf({
              v: "2024-01-01'; DROP TABLE imports; --",
              id: 'x',
            }),
          }),
        ),
      ).toEqual(
        refused(
          400,
          /^cursor: not a cursor this API returned for sort=-lastSeenAt/,
        ),
      );
      expect(
        await backend().refusal(() =>
          list({
            sort: 'firstSeenAt',
            cursor: cursorOf({ v: '2024-13-45T99:99:99Z', id: 'x' }),
          }),
        ),
      ).toEqual(
        refused(
          400,
          /^cursor: not a cursor this API returned for sort=firstSeenAt/,
        ),
      );
    });

    it('pages on from a well-formed cursor it did not issue, like from its own', async () => {
      const before = await backend().rowCounts();
      const sql = await list({
        cursor: cursorOf({ v: 2, id: "x' OR '1'='1'; DROP TABLE imports; --" }),
      });
      expect(sql.status).toBe(200);
      expect(await backend().rowCounts()).toEqual(before);

      const page = await list({ cursor: cursorOf({ v: 2, id: '' }) });
      expect(page.status).toBe(200);
      expect(
        page.body.items.every((item: any) =>
          ['medium', 'low', 'none', 'unknown'].includes(item.severity),
        ),
      ).toBe(true);
    });

    it.each([
      ["'; DROP TABLE observations; --"],
      ["%' OR 1=1 --"],
      ['\\'],
      ['_%'],
      ['") UNION SELECT * FROM imports --'],
    ])('takes SQL in q=%s as text to search for', async q => {
      const before = await backend().rowCounts();
      const res = await list({ q });
      expect({ status: res.status, totalCount: res.body.totalCount }).toEqual({
        status: 200,
        totalCount: 0,
      });
      expect(await backend().rowCounts()).toEqual(before);
    });

    it('still finds by q after all that', async () => {
      const res = await list({ q: 'number 1' });
      expect(res.status).toBe(200);
      expect(res.body.items.map((item: any) => item.title).sort()).toEqual([
        'Finding number 1',
        'Finding number 10',
        'Finding number 11',
      ]);
    });

    it.each([
      ['q', { q: 'x'.repeat(201) }, /at "q"/],
      ['q', { 'q[$ne]': 'x' }, /at "q"/],
      ['sort', { sort: 'title; DROP TABLE observations' }, /at "sort"/],
      ['sort', { sort: '-title,id' }, /at "sort"/],
      ['sort', { sort: 'id' }, /at "sort"/],
      ['status', { status: "open') OR ('1'='1" }, /at "status/],
      ['severity', { severity: 'critical;' }, /at "severity/],
      [
        'scanner',
        { scanner: 'semgrep\u0000' },
        /^scanner: contains a NUL character/,
      ],
    ])(
      'refuses a hostile %s with 400 naming it',
      async (_name, query, message) => {
        expect(await backend().refusal(() => list(query))).toEqual(
          refused(400, message),
        );
      },
    );

    it('takes SQL in scanner and branch filters as values to compare', async () => {
      const before = await backend().rowCounts();
      const res = await list({
        scanner: "semgrep' OR '1'='1",
        branch: 'main; DELETE FROM observations',
      });
      expect({ status: res.status, totalCount: res.body.totalCount }).toEqual({
        status: 200,
        totalCount: 0,
      });
      expect(await backend().rowCounts()).toEqual(before);
    });

    it.each([
      ['/v1/observations/%00', 400, /^id: contains a NUL character/],
      ["/v1/observations/' OR '1'='1", 404, /^No observation /],
      [
        '/v1/observations/..%2F..%2Fetc%2Fpasswd/events',
        404,
        /^No observation /,
      ],
      ['/v1/entities/%00/summary', 400, /^entityRef: contains a NUL character/],
      ['/v1/entities/component%3Adefault%2F/summary', 400, /^entityRef: /],
      [
        `/v1/entities/${encodeURIComponent(ENTITY_REF)}/trend?days=1e9`,
        400,
        /at "days"/,
      ],
      [
        `/v1/entities/${encodeURIComponent(ENTITY_REF)}/trend?days=-5`,
        400,
        /at "days"/,
      ],
    ])('answers GET %s with %i', async (path, status, message) => {
      expect(await backend().refusal(() => backend().get(path))).toEqual(
        refused(status, message),
      );
    });

    it('has every observation still there', async () => {
      expect(await backend().observations()).toHaveLength(12);
    });
  },
);
