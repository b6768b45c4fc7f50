import {
  EntityTrend,
  Observation,
  ObservationEvent,
  SEVERITIES,
} from 'backstage-plugin-security-observations-common';
import { ObservationComment } from '../api';

const entityRef = 'component:default/payments-api';
const image = 'ghcr.io/acme/payments-api:1.42.0';

const base: Omit<Observation, 'id' | 'title' | 'description' | 'identityHash'> =
  {
    entityRef,
    branch: 'main',
    scanner: 'trivy',
    source: '',
    severity: 'high',
    parserSeverity: 'high',
    assessedSeverity: null,
    status: 'open',
    parserStatus: 'open',
    assessedStatus: null,
    justification: null,
    ruleId: null,
    vulnerabilityIds: [],
    cwes: [],
    package: null,
    location: null,
    firstSeenAt: '2026-10-02T07:14:09.000Z',
    lastSeenAt: '2026-11-20T08:30:00.000Z',
    resolvedAt: null,
    riskAcceptanceExpiresAt: null,
    tracker: null,
    updatedAt: '2026-11-20T08:30:00.000Z',
  };

const location = (
  fields: Partial<NonNullable<Observation['location']>>,
): Observation['location'] => ({
  file: null,
  startLine: null,
  endLine: null,
  uri: null,
  image: null,
  endpoint: null,
  ...fields,
});

/** minimist prototype pollution, found by Trivy in the image's node_modules. */
export const minimistObservation: Observation = {
  ...base,
  id: '5b0c8a52-0d5f-4c0e-9a51-3f6f1c6f2a01',
  identityHash:
    'c1f3e0b7d6f7f1a2c6d9e1b8a3f04c2b6b4c1b92f8a4d37a0c8a3f1ab2d3e4f5',
  title: 'CVE-2021-44906: minimist: prototype pollution',
  description: [
    'Minimist <=1.2.5 is vulnerable to Prototype Pollution via file index.js, function setKey() (lines 69-95).',
    '',
    '- **Package:** `minimist` 1.2.5',
    '- **Fixed in:** 1.2.6',
    '- **Path:** `app/node_modules/minimist/package.json`',
  ].join('\n'),
  severity: 'critical',
  parserSeverity: 'critical',
  vulnerabilityIds: ['CVE-2021-44906', 'GHSA-xvch-5gv4-984h'],
  cwes: ['CWE-1321'],
  package: {
    purl: 'pkg:npm/minimist@1.2.5',
    name: 'minimist',
    version: '1.2.5',
    fixedVersion: '1.2.6',
  },
  location: location({
    file: 'app/node_modules/minimist/package.json',
    image,
  }),
  tracker: {
    trackerId: 'github',
    issueKey: 'acme/payments-api#231',
    issueUrl: 'https://github.com/acme/payments-api/issues/231',
    issueState: 'open',
    syncState: 'synced',
    syncAttempts: 1,
    nextAttemptAt: null,
    lastError: null,
    live: {
      state: 'open',
      status: 'Open',
      changedBy: null,
      changedAt: null,
      seenAt: '2026-11-20T08:25:00.000Z',
    },
  },
};

/** glibc iconv out-of-bounds write in the Debian base image. */
export const glibcObservation: Observation = {
  ...base,
  id: '8e2d4f61-7a3b-4c59-b1e2-6d0a9c4e7b12',
  identityHash:
    '4a7d1c9e2b3f6a8d0c5e7f1b9a2d4c6e8f0a1b3c5d7e9f2a4b6c8d0e1f3a5b7c',
  title:
    'CVE-2024-2961: glibc: Out of bounds write in iconv may lead to remote code execution',
  description:
    'The iconv() function in the GNU C Library versions 2.39 and older may overflow the output buffer passed to it by up to 4 bytes when converting strings to the ISO-2022-CN-EXT character set.',
  vulnerabilityIds: ['CVE-2024-2961'],
  cwes: ['CWE-787'],
  package: {
    purl: 'pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12.5',
    name: 'libc6',
    version: '2.36-9+deb12u4',
    fixedVersion: '2.36-9+deb12u7',
  },
  location: location({ image }),
  tracker: {
    trackerId: 'github',
    issueKey: null,
    issueUrl: null,
    issueState: null,
    syncState: 'failed',
    syncAttempts: 3,
    nextAttemptAt: '2026-11-20T09:00:00.000Z',
    lastError: 'GitHub answered 403: Resource not accessible by integration',
  },
};

/** A CodeQL SQL injection in the service's own code. */
export const sqlInjectionObservation: Observation = {
  ...base,
  id: 'a3c9e7f0-1b2d-4e5f-8a9b-0c1d2e3f4a5b',
  identityHash:
    '9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0',
  scanner: 'codeql',
  title: 'Database query built from user-controlled sources',
  description: [
    'If a database query (such as a SQL or NoSQL query) is built from user-provided data without sufficient sanitization, a malicious user may be able to run malicious database queries.',
    '',
    '## Recommendation',
    '',
    'Most database connector libraries offer a way of safely embedding untrusted data into a query by means of query parameters or prepared statements.',
  ].join('\n'),
  ruleId: 'js/sql-injection',
  cwes: ['CWE-89'],
  location: location({
    file: 'src/routes/refunds.ts',
    startLine: 42,
    endLine: 44,
  }),
  firstSeenAt: '2026-11-18T16:02:45.000Z',
};

/** A Gitleaks secret in a Helm values file, on a feature branch. */
export const awsKeyObservation: Observation = {
  ...base,
  id: 'd4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70',
  identityHash:
    '0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9',
  scanner: 'gitleaks',
  branch: 'feature/refund-webhooks',
  title: 'Secret: AWS Access Key',
  description:
    'Identified a pattern that may indicate AWS credentials, risking unauthorized cloud resource access and data breaches on AWS platforms.\n\n- **Match:** `AKIA************MPLE`',
  ruleId: 'aws-access-token',
  cwes: ['CWE-798'],
  location: location({
    file: 'deploy/helm/values-staging.yaml',
    startLine: 17,
    endLine: 17,
  }),
  firstSeenAt: '2026-11-19T10:41:00.000Z',
};

/** Every observation above, most severe first, as the default sort answers. */
export const observations: Observation[] = [
  minimistObservation,
  glibcObservation,
  sqlInjectionObservation,
  awsKeyObservation,
];

/** An observation whose scanner text tries to inject script. */
export const hostileDescriptionObservation: Observation = {
  ...sqlInjectionObservation,
  id: 'f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f',
  title: 'Reflected cross-site scripting',
  description: [
    'User input reaches the response unescaped.',
    '',
    '<script>window.__injected = true</script>',
    '',
    '[Proof of concept](javascript:alert(document.cookie))',
    '',
    '<a href="javascript:alert(1)">raw anchor</a>',
    '',
    '<img src="x" onerror="window.__injected = true">',
    '',
    'See [OWASP XSS](https://owasp.org/www-community/attacks/xss/).',
  ].join('\n'),
  ruleId: 'js/reflected-xss',
  cwes: ['CWE-79', 'CWE-116'],
};

/** The audit log of the minimist observation: import, triage, comment. */
export const minimistEvents: ObservationEvent[] = [
  {
    id: 'import:7f3e2d1c-0b9a-4877-a665-544332211000',
    observationId: minimistObservation.id,
    type: 'created',
    actor: 'ci-scanner',
    actorKind: 'scanner',
    importId: '7f3e2d1c-0b9a-4877-a665-544332211000',
    changes: {},
    comment: null,
    createdAt: '2026-10-02T07:14:09.000Z',
  },
  {
    id: '1042',
    observationId: minimistObservation.id,
    type: 'assessed',
    actor: 'user:default/jane.doe',
    actorKind: 'user',
    importId: null,
    changes: {
      status: { from: 'open', to: 'in_review' },
      severity: { from: 'high', to: 'critical' },
    },
    comment: 'minimist is reachable through our CLI argument parsing.',
    createdAt: '2026-10-03T09:20:00.000Z',
  },
  {
    id: '1057',
    observationId: minimistObservation.id,
    type: 'commented',
    actor: 'user:default/sam.lee',
    actorKind: 'user',
    importId: null,
    changes: {},
    comment: 'Upgrade is in PR #412.',
    createdAt: '2026-10-04T13:05:00.000Z',
  },
];

/** Comments of both origins on the minimist observation. */
export const minimistComments: ObservationComment[] = [
  {
    id: '2f1e0d9c-8b7a-4654-9321-0fedcba98765',
    observationId: minimistObservation.id,
    author: 'user:default/sam.lee',
    origin: 'backstage',
    body: 'Upgrade is in PR #412.',
    createdAt: '2026-10-04T13:05:00.000Z',
  },
  {
    id: '3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d',
    observationId: minimistObservation.id,
    author: 'octocat',
    origin: 'github',
    body: 'Released in 1.42.1, closing once the next scan confirms.',
    createdAt: '2026-10-05T08:00:00.000Z',
  },
];

/**
 * When the tracker-state fixtures below are looked at: their issues were
 * changed 5 minutes and read 1 minute before. Tests that show relative
 * times freeze `Date.now()` here.
 */
export const trackerFixturesNow = '2026-11-20T10:00:00.000Z';

/**
 * ws denial of service, closed as not planned on GitHub by octocat: the
 * tracker's status mapping made it risk accepted.
 */
export const notPlannedObservation: Observation = {
  ...base,
  id: 'b7c1d2e3-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
  identityHash:
    '7e6d5c4b3a2918f7e6d5c4b3a2918f7e6d5c4b3a2918f7e6d5c4b3a2918f7e6d',
  title:
    'CVE-2024-37890: nodejs-ws: denial of service when handling a request with many HTTP headers',
  description:
    'A request with a number of headers exceeding the server.maxHeadersCount threshold could be used to crash a ws server.',
  status: 'risk_accepted',
  assessedStatus: 'risk_accepted',
  vulnerabilityIds: ['CVE-2024-37890', 'GHSA-3h5v-q93c-6h6q'],
  cwes: ['CWE-476'],
  package: {
    purl: 'pkg:npm/ws@8.16.0',
    name: 'ws',
    version: '8.16.0',
    fixedVersion: '8.17.1',
  },
  location: location({ file: 'app/node_modules/ws/package.json', image }),
  firstSeenAt: '2026-11-02T07:14:09.000Z',
  updatedAt: '2026-11-20T09:55:30.000Z',
  tracker: {
    trackerId: 'github',
    issueKey: 'acme/payments-api#245',
    issueUrl: 'https://github.com/acme/payments-api/issues/245',
    issueState: 'closed',
    syncState: 'synced',
    syncAttempts: 1,
    nextAttemptAt: null,
    lastError: null,
    live: {
      state: 'closed',
      status: 'Closed as not planned',
      changedBy: 'octocat',
      changedAt: '2026-11-20T09:55:00.000Z',
      seenAt: '2026-11-20T09:59:00.000Z',
    },
  },
};

/** tough-cookie prototype pollution, set to "Won't Do" in Jira by Jane Doe. */
export const wontDoObservation: Observation = {
  ...base,
  id: 'c8d2e3f4-5a6b-4c7d-9e8f-0a1b2c3d4e5f',
  identityHash:
    '1d2c3b4a5f6e7d8c9b0a1d2c3b4a5f6e7d8c9b0a1d2c3b4a5f6e7d8c9b0a1d2c',
  title: 'CVE-2023-26136: tough-cookie: prototype pollution in cookie memstore',
  description:
    'Versions of the package tough-cookie before 4.1.3 are vulnerable to Prototype Pollution due to improper handling of Cookies when using CookieJar in rejectPublicSuffixes=false mode.',
  severity: 'medium',
  parserSeverity: 'medium',
  status: 'risk_accepted',
  assessedStatus: 'risk_accepted',
  vulnerabilityIds: ['CVE-2023-26136'],
  cwes: ['CWE-1321'],
  package: {
    purl: 'pkg:npm/tough-cookie@4.1.2',
    name: 'tough-cookie',
    version: '4.1.2',
    fixedVersion: '4.1.3',
  },
  location: location({ file: 'package-lock.json' }),
  tracker: {
    trackerId: 'jira',
    issueKey: 'PAY-87',
    issueUrl: 'https://acme-corp.atlassian.net/browse/PAY-87',
    issueState: 'closed',
    syncState: 'synced',
    syncAttempts: 1,
    nextAttemptAt: null,
    lastError: null,
    live: {
      state: 'closed',
      status: "Won't Do",
      changedBy: 'Jane Doe',
      changedAt: '2026-11-20T09:55:00.000Z',
      seenAt: '2026-11-20T09:59:00.000Z',
    },
  },
};

/** semver ReDoS, whose GitLab issue was deleted. */
export const deletedIssueObservation: Observation = {
  ...base,
  id: 'e9f3a4b5-6c7d-4e8f-8a9b-1c2d3e4f5a6b',
  identityHash:
    '5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c',
  title: 'CVE-2022-25883: semver: regular expression denial of service',
  description:
    'Versions of the package semver before 7.5.2 are vulnerable to Regular Expression Denial of Service (ReDoS) via the function new Range, when untrusted user data is provided as a range.',
  severity: 'medium',
  parserSeverity: 'medium',
  vulnerabilityIds: ['CVE-2022-25883'],
  cwes: ['CWE-1333'],
  package: {
    purl: 'pkg:npm/semver@7.5.1',
    name: 'semver',
    version: '7.5.1',
    fixedVersion: '7.5.2',
  },
  location: location({ file: 'package-lock.json' }),
  tracker: {
    trackerId: 'gitlab',
    issueKey: 'acme-corp/payments/payments-api#58',
    issueUrl: 'https://gitlab.com/acme-corp/payments/payments-api/-/issues/58',
    issueState: 'open',
    syncState: 'synced',
    syncAttempts: 1,
    nextAttemptAt: null,
    lastError: null,
    live: {
      state: 'gone',
      status: 'Deleted',
      changedBy: null,
      changedAt: null,
      seenAt: '2026-11-20T09:59:00.000Z',
    },
  },
};

/** Observations whose issues the backend read back from their trackers. */
export const trackerStateObservations: Observation[] = [
  notPlannedObservation,
  wontDoObservation,
  deletedIssueObservation,
];

/** The ws observation's audit log: found, issue created, closed on GitHub. */
export const notPlannedEvents: ObservationEvent[] = [
  {
    id: 'import:0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d',
    observationId: notPlannedObservation.id,
    type: 'created',
    actor: 'ci-scanner',
    actorKind: 'scanner',
    importId: '0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d',
    changes: {},
    comment: null,
    createdAt: '2026-11-02T07:14:09.000Z',
  },
  {
    id: '2210',
    observationId: notPlannedObservation.id,
    type: 'issue_created',
    actor: 'tracker-sync',
    actorKind: 'system',
    importId: null,
    changes: { issueKey: { to: 'acme/payments-api#245' } },
    comment: null,
    createdAt: '2026-11-02T07:20:00.000Z',
  },
  {
    id: '2388',
    observationId: notPlannedObservation.id,
    type: 'assessed',
    actor: 'github:octocat',
    actorKind: 'tracker',
    importId: null,
    changes: { status: { from: 'open', to: 'risk_accepted' } },
    comment: 'Closed as not planned on GitHub by octocat',
    createdAt: '2026-11-20T09:55:30.000Z',
  },
];

/**
 * Comments on the ws observation: one from GitHub, edited there, and
 * Security-tab comments pushed to the issue, waiting, and refused.
 */
export const notPlannedComments: ObservationComment[] = [
  {
    id: '4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e',
    observationId: notPlannedObservation.id,
    author: 'octocat',
    origin: 'github',
    body: 'ws only serves the internal health socket; nothing outside the cluster reaches it.',
    createdAt: '2026-11-20T09:50:00.000Z',
    url: 'https://github.com/acme/payments-api/issues/245#issuecomment-2498123456',
    updatedAt: '2026-11-20T09:54:00.000Z',
    push: null,
  },
  {
    id: '5c4d3e2f-1a0b-4c9d-8e7f-7a6b5c4d3e2f',
    observationId: notPlannedObservation.id,
    author: 'user:default/jane.doe',
    origin: 'backstage',
    body: 'Agreed; we upgrade ws with the Node 24 move in Q1.',
    createdAt: '2026-11-20T09:56:00.000Z',
    url: 'https://github.com/acme/payments-api/issues/245#issuecomment-2498125001',
    updatedAt: null,
    push: { state: 'pushed', error: null },
  },
  {
    id: '6d5e4f3a-2b1c-4d0e-9f8a-8b7c6d5e4f3a',
    observationId: notPlannedObservation.id,
    author: 'user:default/sam.lee',
    origin: 'backstage',
    body: 'The upgrade is tracked in PAY-101.',
    createdAt: '2026-11-20T09:58:00.000Z',
    url: null,
    updatedAt: null,
    push: { state: 'pending', error: null },
  },
  {
    id: '7e6f5a4b-3c2d-4e1f-8a9b-9c8d7e6f5a4b',
    observationId: notPlannedObservation.id,
    author: 'user:default/sam.lee',
    origin: 'backstage',
    body: '@octocat can you confirm the socket is not exposed?',
    createdAt: '2026-11-20T09:58:30.000Z',
    url: null,
    updatedAt: null,
    push: {
      state: 'failed',
      error: 'GitHub answered 403: Resource not accessible by integration',
    },
  },
];

/** A tracker comment whose link is a script: shown, never linked. */
export const hostileLinkComment: ObservationComment = {
  id: '8f7a6b5c-4d3e-4f2a-9b0c-0d9e8f7a6b5c',
  observationId: notPlannedObservation.id,
  author: 'mallory',
  origin: 'github',
  body: 'See the linked comment for the exploit.',
  createdAt: '2026-11-20T09:59:00.000Z',
  // eslint-disable-next-line no-script-url -- the attack under test
  url: 'javascript:alert(document.cookie)',
  updatedAt: null,
  push: null,
};

/** 90 days of trend ending 2026-11-20, with a few resolved per severity. */
export const paymentsTrend: EntityTrend = {
  entityRef,
  days: 90,
  points: Array.from({ length: 90 }, (_, day) => {
    const date = new Date(Date.UTC(2026, 7, 23 + day));
    return {
      date: date.toISOString().slice(0, 10),
      activeBySeverity: {
        critical: day < 40 ? 3 : 2,
        high: 5 + (day % 3),
        medium: 11,
        low: 3,
        none: 0,
        unknown: 1,
      },
    };
  }),
  meanDaysToResolve: {
    critical: 4.5,
    high: 12.25,
    medium: 30,
    low: null,
    none: null,
    unknown: null,
  },
  resolvedBySeverity: Object.fromEntries(
    SEVERITIES.map(severity => [
      severity,
      { critical: 1, high: 3, medium: 2 }[severity as string] ?? 0,
    ]),
  ) as EntityTrend['resolvedBySeverity'],
};
