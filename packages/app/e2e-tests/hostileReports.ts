/*
 * Scanner reports with hostile text, in the shapes the scanners write, for
 * the e2e-only component of catalog-e2e.yaml: HTML and script in titles,
 * descriptions (markdown), rule ids, help and reference URLs, file paths and
 * package names, and secrets that secret scanners report. Every payload, if
 * it ever ran, calls `PWNED_FUNCTION` (which the test exposes to the page)
 * with where it came from, or opens an `alert`.
 */
/* eslint-disable no-script-url -- the payloads are javascript: URLs on purpose */
import { BACKEND, CI_TOKEN } from './securityTabPage';

/** The component the hostile reports go to (packages/app/e2e-tests/catalog-e2e.yaml). */
export const HOSTILE_ENTITY = {
  ref: 'component:default/hostile-reports',
  name: 'hostile-reports',
  title: 'Hostile Reports',
  /** Its source location: file links must stay inside this repository. */
  repository: 'https://github.com/acme-corp/hostile-reports/',
};

/** What a payload calls when it runs; the test exposes it to the page. */
export const PWNED_FUNCTION = '__pwned';

const pwned = (where: string) => `${PWNED_FUNCTION}('${where}')`;

/**
 * Link texts whose `javascript:`, `data:`, `vbscript:` or app-relative
 * targets must leave them plain text: the test clicks each.
 */
export const NEUTERED_LINK_TEXTS = [
  'pwn-md-link',
  'pwn-md-mixed-case',
  'pwn-md-tab',
  'pwn-md-entity',
  'pwn-md-data',
  'pwn-md-vbscript',
  'pwn-md-relative',
  'pwn-md-reference',
  'pwn-html-link',
  'pwn-html-entity-link',
  'pwn-html-space-link',
  'pwn-html-tab-link',
];

/** A link that must stay a link: sanitizing does not just drop every link. */
export const SAFE_LINK = {
  text: 'OWASP on cross-site scripting',
  href: 'https://owasp.org/www-community/attacks/xss/',
};

/**
 * Markdown with every way we know of to get script, a frame or a
 * `javascript:` link out of a markdown renderer with raw HTML on. `where`
 * names the field, so a payload that runs says where it came from.
 */
export function hostileMarkdown(where: string): string {
  // No spaces: a markdown link's target ends at one.
  const p = (what: string) => pwned(`${where}/${what}`.replace(/\s+/g, '-'));
  return [
    `Reflected cross-site scripting in ${where}. See [${SAFE_LINK.text}](${SAFE_LINK.href}).`,
    // Each its own paragraph, so that each neutered link is one element.
    `<script>${p('script')}</script>`,
    `<img src=x onerror="${p('img onerror')}">`,
    `<img src="x" onerror=alert(document.domain)>`,
    `<svg onload="${p('svg onload')}"><circle r="4"></circle></svg>`,
    `<iframe src="javascript:${p('iframe src')}"></iframe>`,
    `<iframe srcdoc="<script>parent.${p('iframe srcdoc')}</script>"></iframe>`,
    `<a href="javascript:${p('raw a')}">pwn-html-link</a>`,
    `<a href="&#106;avascript&#58;${p('entity a')}">pwn-html-entity-link</a>`,
    `<a href="  javascript:${p('space a')}">pwn-html-space-link</a>`,
    `<a href="java&#x09;script:${p('tab a')}">pwn-html-tab-link</a>`,
    `<a href="https://example.com/" onclick="${p('onclick')}" onmouseover="${p(
      'onmouseover',
    )}" style="position:fixed;inset:0">pwn-html-overlay</a>`,
    `<details open ontoggle="${p(
      'details ontoggle',
    )}"><summary>pwn-details</summary>x</details>`,
    `<form action="javascript:${p('form')}"><button formaction="javascript:${p(
      'formaction',
    )}">pwn-form-button</button></form>`,
    `<object data="javascript:${p(
      'object',
    )}"></object><embed src="javascript:${p('embed')}">`,
    `<math><a xlink:href="javascript:${p('math')}">pwn-math-link</a></math>`,
    `<style>body { background: url("javascript:${p('style')}") }</style>`,
    `<base href="javascript:${p('base')}//">`,
    `<meta http-equiv="refresh" content="0;url=javascript:${p('meta')}">`,
    `<input autofocus onfocus="${p('input onfocus')}">`,
    `<video><source onerror="${p('video source')}"></video>`,
    `<div style="width:100px;height:100px" onpointerenter="${p(
      'pointerenter',
    )}">pwn-div</div>`,
    `[pwn-md-link](javascript:${p('markdown link')})`,
    `[pwn-md-mixed-case](JaVaScRiPt:${p('mixed case')})`,
    `[pwn-md-tab](<java\tscript:${p('tab')}>)`,
    `[pwn-md-entity](javascript&#58;${p('entity')})`,
    `[pwn-md-data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
    `[pwn-md-vbscript](vbscript:msgbox(1))`,
    `[pwn-md-relative](/catalog?pwned=1)`,
    `[pwn-md-reference][evil]`,
    // An autolink has no spaces.
    `<javascript:${pwned('autolink')}>`,
    `![pwn-md-image](javascript:${p('image')})`,
    `![pwn-md-image-onerror](x" onerror="${p('image attribute')})`,
    ['```html', `<script>${p('code block')}</script>`, '```'].join('\n'),
    `[evil]: javascript:${p('reference')}`,
  ].join('\n\n');
}

/** Titles of the hostile observations, as the table and the drawer show them. */
export const HOSTILE_TITLES = {
  sarifTitle: `<script>${pwned(
    'sarif title',
  )}</script> Reflected XSS in the search page`,
  sarifPath: `<img src=x onerror=${pwned(
    'sarif path title',
  )}> DOM XSS in a hostile path`,
  sarifFileUri: `Traversal and file: paths <svg onload=${pwned('svg title')}>`,
  semgrep: `<iframe src="javascript:${pwned(
    'semgrep title',
  )}"></iframe> formatted SQL query`,
  trivy: `CVE-2024-99999: <a href="javascript:${pwned(
    'trivy title',
  )}">prototype pollution</a>`,
};

/** Paths a scanner might report: script, other schemes, and traversal. */
export const HOSTILE_PATHS = {
  html: `src/<img src=x onerror=${pwned('path')}>/search.js`,
  javascript: `javascript:${pwned('path uri')}`,
  fileUri: 'file:///etc/passwd',
  traversal: '../../../../attacker/phishing/blob/main/login.js',
};

function sarifRule(id: string, title: string, where: string) {
  return {
    id,
    shortDescription: { text: title },
    help: { text: 'See markdown.', markdown: hostileMarkdown(where) },
    helpUri: `javascript:${pwned(`${where} helpUri`)}`,
    properties: {
      'security-severity': '8.8',
      tags: ['security', `<script>${pwned(`${where} tag`)}</script>`],
      cwe: 'CWE-79',
    },
  };
}

function sarifResult(ruleId: string, uri: string, line: number) {
  return {
    ruleId,
    level: 'error',
    message: {
      text: `User input reaches the page unescaped: <b onmouseover=${pwned(
        'sarif message',
      )}>here</b>`,
    },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri },
          region: {
            startLine: line,
            snippet: {
              text: `res.send('<script>${pwned('snippet')}</script>')`,
            },
          },
        },
      },
    ],
  };
}

/** Rule ids of the SARIF report: shown under the title when there is no CVE. */
export const HOSTILE_RULE_IDS = {
  title: `js/xss"><script>${pwned('rule id')}</script>`,
  path: `js/dom-xss<img src=x onerror=${pwned('rule id 2')}>`,
  uri: `javascript:${pwned('rule id 3')}`,
};

/** CodeQL-like SARIF: hostile rule ids, titles, help, help URIs and paths. */
const sarif = {
  version: '2.1.0',
  $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
  runs: [
    {
      tool: {
        driver: {
          name: 'CodeQL',
          informationUri: `javascript:${pwned('informationUri')}`,
          rules: [
            sarifRule(
              HOSTILE_RULE_IDS.title,
              HOSTILE_TITLES.sarifTitle,
              'sarif help',
            ),
            sarifRule(
              HOSTILE_RULE_IDS.path,
              HOSTILE_TITLES.sarifPath,
              'sarif help 2',
            ),
            sarifRule(
              HOSTILE_RULE_IDS.uri,
              HOSTILE_TITLES.sarifFileUri,
              'sarif help 3',
            ),
          ],
        },
      },
      results: [
        sarifResult(HOSTILE_RULE_IDS.title, 'src/routes/search.js', 12),
        sarifResult(HOSTILE_RULE_IDS.path, HOSTILE_PATHS.html, 7),
        sarifResult(HOSTILE_RULE_IDS.uri, HOSTILE_PATHS.javascript, 1),
        sarifResult(HOSTILE_RULE_IDS.uri, HOSTILE_PATHS.fileUri, 2),
        sarifResult(HOSTILE_RULE_IDS.uri, HOSTILE_PATHS.traversal, 3),
      ],
    },
  ],
};

/** Semgrep JSON: a hostile check id, message, rule source and references. */
const semgrep = {
  version: '1.85.0',
  results: [
    {
      check_id: `python.lang.security.<svg onload=${pwned(
        'check_id',
      )}>.formatted-sql-query`,
      path: `app/"><script>${pwned('semgrep path')}</script>.py`,
      start: { line: 42, col: 9, offset: 1201 },
      end: { line: 42, col: 61, offset: 1253 },
      extra: {
        message: `${HOSTILE_TITLES.semgrep}\n\n${hostileMarkdown(
          'semgrep message',
        )}`,
        metadata: {
          cwe: [`CWE-89: <script>${pwned('cwe')}</script>`],
          owasp: [`A03:2021 <img src=x onerror=${pwned('owasp')}>`],
          references: [
            `javascript:${pwned('semgrep reference')}`,
            `data:text/html,<script>${pwned('data reference')}</script>`,
            SAFE_LINK.href,
          ],
          source: `javascript:${pwned('semgrep rule source')}`,
        },
        severity: 'ERROR',
        fingerprint: 'requires login',
        lines: `cursor.execute("<script>${pwned('lines')}</script>" % q)`,
        fix: `<img src=x onerror=${pwned('fix')}>`,
      },
    },
  ],
};

/** Trivy JSON: a hostile package, vulnerability, description and URLs. */
const trivy = {
  SchemaVersion: 2,
  ArtifactName: '.',
  ArtifactType: 'filesystem',
  Results: [
    {
      Target: `web/<img src=x onerror=${pwned('target')}>/package-lock.json`,
      Class: 'lang-pkgs',
      Type: 'npm',
      Vulnerabilities: [
        {
          VulnerabilityID: 'CVE-2024-99999',
          VendorIDs: [`GHSA-<script>${pwned('vendor id')}</script>`],
          PkgName: `<img src=x onerror=${pwned('package name')}>`,
          InstalledVersion: `1.0.0"><script>${pwned('version')}</script>`,
          FixedVersion: `<svg onload=${pwned('fixed version')}>`,
          Severity: 'HIGH',
          Title: HOSTILE_TITLES.trivy.replace('CVE-2024-99999: ', ''),
          Description: hostileMarkdown('trivy description'),
          PrimaryURL: `javascript:${pwned('primary url')}`,
          References: [
            `javascript:${pwned('trivy reference')}`,
            ' javascript:alert(1)',
            SAFE_LINK.href,
          ],
          CweIDs: [`<script>${pwned('cwe id')}</script>`, 'CWE-1321'],
        },
      ],
    },
  ],
};

/** The hostile reports, each its own source so none resolves another's. */
export const HOSTILE_REPORTS = [
  { source: 'hostile-sarif', body: JSON.stringify(sarif) },
  { source: 'hostile-semgrep', body: JSON.stringify(semgrep) },
  { source: 'hostile-trivy', body: JSON.stringify(trivy) },
];

/**
 * Secrets as scanners report them, each unique to this test: what the
 * example's secret scanners found in a commit and in a file.
 */
export const PLANTED_REPORTED_SECRETS = {
  /** An AWS access key id in a Gitleaks `Secret`, `Match` and commit message. */
  gitleaksAwsKeyId: 'AKIAE2EPLANTED7QXZ4W',
  /** An AWS secret access key in an unmasked Trivy `Match`. */
  trivyAwsSecretKey: 'wJalrXUtnE2EPLANTEDbPxRfiCYzK7MDENGq4Xk9Z',
  /** A GitHub token on a line around it, in Trivy's `Code.Lines` only. */
  trivyCodeLinesToken: 'ghp_E2EPLANTEDcodeLines0aB1cD2eF3gH4iJ5k',
};

const gitleaks = [
  {
    RuleID: 'aws-access-token',
    Description:
      'Identified a pattern that may indicate AWS credentials, risking unauthorized cloud resource access and data breaches on AWS platforms.',
    StartLine: 12,
    EndLine: 12,
    StartColumn: 21,
    EndColumn: 40,
    Match: `aws_access_key_id = ${PLANTED_REPORTED_SECRETS.gitleaksAwsKeyId}`,
    Secret: PLANTED_REPORTED_SECRETS.gitleaksAwsKeyId,
    File: 'deploy/terraform/provider.tf',
    SymlinkFile: '',
    Commit: '4d6b2f0e9c1a8b7d3e5f6a7b8c9d0e1f2a3b4c5d',
    Link: 'https://github.com/acme-corp/hostile-reports/blob/4d6b2f0e9c1a8b7d3e5f6a7b8c9d0e1f2a3b4c5d/deploy/terraform/provider.tf#L12',
    Entropy: 3.6841838,
    Author: 'Dana Developer',
    Email: 'dana@example.com',
    Date: '2024-02-11T09:14:51Z',
    Message: `add terraform provider config with key ${PLANTED_REPORTED_SECRETS.gitleaksAwsKeyId}`,
    Tags: [],
    Fingerprint:
      '4d6b2f0e9c1a8b7d3e5f6a7b8c9d0e1f2a3b4c5d:deploy/terraform/provider.tf:aws-access-token:12',
  },
];

const trivySecrets = {
  SchemaVersion: 2,
  ArtifactName: '.',
  ArtifactType: 'filesystem',
  Results: [
    {
      Target: 'deploy/release.sh',
      Class: 'secret',
      Secrets: [
        {
          RuleID: 'aws-secret-access-key',
          Category: 'AWS',
          Severity: 'CRITICAL',
          Title: 'AWS Secret Access Key',
          StartLine: 5,
          EndLine: 5,
          Code: {
            Lines: [
              {
                Number: 4,
                Content: `export GITHUB_PAT=${PLANTED_REPORTED_SECRETS.trivyCodeLinesToken}`,
                IsCause: false,
              },
              {
                Number: 5,
                Content: `export AWS_SECRET_ACCESS_KEY=${PLANTED_REPORTED_SECRETS.trivyAwsSecretKey}`,
                IsCause: true,
              },
            ],
          },
          Match: `export AWS_SECRET_ACCESS_KEY=${PLANTED_REPORTED_SECRETS.trivyAwsSecretKey}`,
          Offset: 96,
        },
      ],
    },
  ],
};

/** The secret scanners' reports, with the planted secrets in them. */
export const SECRET_REPORTS = [
  { source: 'planted-gitleaks', body: JSON.stringify(gitleaks) },
  { source: 'planted-trivy-secrets', body: JSON.stringify(trivySecrets) },
];

/** The titles the backend gives the two secret findings. */
export const SECRET_TITLES = {
  gitleaks:
    'Identified a pattern that may indicate AWS credentials, risking unauthorized cloud resource access and data breaches on AWS platforms in deploy/terraform/provider.tf',
  trivy: 'Secret: AWS Secret Access Key',
};

/**
 * Imports a report into the hostile component as a scanner in CI would
 * (the example's CI token); answers the status and the error, if any. The
 * catalog may not have read catalog-e2e.yaml yet right after start-up.
 */
export async function importReport(report: {
  source: string;
  body: string;
}): Promise<string> {
  const query = new URLSearchParams({
    entityRef: HOSTILE_ENTITY.ref,
    source: report.source,
  });
  const response = await fetch(`${BACKEND}/v1/imports?${query}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${CI_TOKEN}`,
      'Content-Type': 'application/json',
    },
    body: report.body,
  });
  return response.ok
    ? String(response.status)
    : `${response.status} ${await response.text()}`;
}
