import { Observation } from 'backstage-plugin-security-observations-common';
import { renderIssue, truncate } from './renderIssue';

/** A Semgrep finding as the store returns it. */
const semgrepFinding: Observation = {
  id: '0b5c6a0e-6a3f-4d0e-9a57-3f0b7a4b2c11',
  entityRef: 'component:default/payments-api',
  branch: 'main',
  scanner: 'semgrep',
  source: '',
  identityHash: 'c0ffee',
  title: 'python.django.security.injection.sql.sql-injection-using-raw',
  description: '',
  severity: 'high',
  parserSeverity: 'high',
  assessedSeverity: null,
  status: 'open',
  parserStatus: 'open',
  assessedStatus: null,
  justification: null,
  ruleId: 'python.django.security.injection.sql.sql-injection-using-raw',
  vulnerabilityIds: [],
  cwes: ['CWE-89'],
  package: null,
  location: {
    file: 'payments/views.py',
    startLine: 42,
    endLine: 44,
    uri: null,
    image: null,
    endpoint: null,
  },
  firstSeenAt: '2026-11-30T10:00:00.000Z',
  lastSeenAt: '2026-12-01T10:00:00.000Z',
  resolvedAt: null,
  riskAcceptanceExpiresAt: null,
  tracker: null,
  updatedAt: '2026-12-01T10:00:00.000Z',
};

const render = (observation: Observation, bodyLimit = 65_536) =>
  renderIssue({
    observation,
    decision: { state: 'open', closeReason: 'fixed' },
    labels: ['security'],
    appBaseUrl: 'https://backstage.acme.example/',
    bodyLimit,
  });

describe('renderIssue', () => {
  it('renders the location, the weakness and the way back to the Security tab', () => {
    const issue = render({
      ...semgrepFinding,
      description: 'Detected user input used in a raw SQL query.',
    });
    expect(issue.title).toBe(
      '[High] python.django.security.injection.sql.sql-injection-using-raw (payments-api)',
    );
    expect(issue.body).toContain('- **File:** `payments/views.py` line 42–44');
    expect(issue.body).toContain(
      '[CWE-89](https://cwe.mitre.org/data/definitions/89.html)',
    );
    expect(issue.body).toContain(
      '(https://backstage.acme.example/catalog/default/component/payments-api/security?observation=0b5c6a0e-6a3f-4d0e-9a57-3f0b7a4b2c11)',
    );
  });

  it('closes a code block it cuts open, so the link back stays a link', () => {
    const code = Array.from(
      { length: 2_000 },
      (_, i) => `cursor.execute("SELECT * FROM t WHERE id = " + ids[${i}])`,
    ).join('\n');
    const issue = render(
      {
        ...semgrepFinding,
        description: `Raw SQL built from input:\n\n\`\`\`python\n${code}\n\`\`\`\n\nUse parameters.`,
      },
      8_000,
    );
    expect(issue.body.length).toBeLessThanOrEqual(8_000);
    const fences = issue.body.match(/^\s*```/gm) ?? [];
    expect(fences.length % 2).toBe(0);
    const beforeLink = issue.body.slice(
      0,
      issue.body.indexOf('[See this observation'),
    );
    expect((beforeLink.match(/^\s*```/gm) ?? []).length % 2).toBe(0);
    expect(issue.body).toContain('The description was cut here');
  });

  it('never cuts an emoji in half', () => {
    expect(truncate('ab😀', 3)).toBe('ab');
    expect(truncate('ab😀', 4)).toBe('ab😀');
    const issue = render(
      // 'x' puts an emoji across the title's 256-unit limit.
      { ...semgrepFinding, title: `x${'😀'.repeat(300)}`, ruleId: null },
      65_536,
    );
    expect(issue.title).toMatch(/^\[High\] x(😀)+…$/u);
    expect(issue.title.length).toBeLessThanOrEqual(256);
  });
});
