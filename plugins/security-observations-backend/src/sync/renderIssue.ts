import { parseEntityRef } from '@backstage/catalog-model';
import {
  Observation,
  SEVERITY_LABELS,
} from 'backstage-plugin-security-observations-common';
import { IssueDecision } from './issueRules';
import { DesiredIssue } from './trackers/TrackerClient';

/** GitLab and Jira refuse longer titles; GitHub takes 256. */
const TITLE_LIMIT = 255;

/**
 * The first `max` UTF-16 units of a text, without splitting a surrogate
 * pair (half an emoji is not valid text, and trackers refuse it).
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = Math.max(0, max);
  const last = text.charCodeAt(end - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? end - 1 : end);
}

/** The observation on its entity's Security tab, for the link back. */
export function securityTabUrl(appBaseUrl: string, observation: Observation) {
  const { kind, namespace, name } = parseEntityRef(observation.entityRef);
  return `${appBaseUrl.replace(/\/+$/, '')}/catalog/${encodeURIComponent(
    namespace,
  )}/${encodeURIComponent(
    kind.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(name)}/security?observation=${encodeURIComponent(
    observation.id,
  )}`;
}

/** `[High] CVE-2024-1234 in openssl 3.0.2 (payments-api)`. */
export function issueTitle(observation: Observation): string {
  const entity = parseEntityRef(observation.entityRef).name;
  const pkg = observation.package;
  const what =
    observation.vulnerabilityIds.length > 0 && pkg?.name
      ? `${observation.vulnerabilityIds[0]} in ${pkg.name}${
          pkg.version ? ` ${pkg.version}` : ''
        }`
      : observation.title;
  // One line: Jira refuses a summary with a line break.
  const title = `[${SEVERITY_LABELS[observation.severity]}] ${what} (${entity})`
    .replace(/\s+/g, ' ')
    .trim();
  return title.length <= TITLE_LIMIT
    ? title
    : `${truncate(title, TITLE_LIMIT - 1)}…`;
}

/** Where an advisory id is explained. */
function advisoryUrl(id: string): string {
  if (/^CVE-\d{4}-\d+$/i.test(id)) {
    return `https://nvd.nist.gov/vuln/detail/${id.toUpperCase()}`;
  }
  if (/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/i.test(id)) {
    return `https://github.com/advisories/${id}`;
  }
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

/** Inline code that survives backticks in the value. */
function code(value: string): string {
  const fence = value.includes('`') ? '``' : '`';
  return `${fence}${value.replace(/\s+/g, ' ')}${fence}`;
}

/**
 * Scanner text is untrusted: an `@name` in it must not ping anybody on the
 * tracker, so a zero-width space goes after the `@`, as Dependabot does.
 */
export function neutralizeMentions(markdown: string): string {
  // The character itself, not an entity: Jira's formats show entities literally.
  return markdown.replace(/(^|[^\w`@])@(?=[A-Za-z0-9])/g, '$1@\u200b');
}

function facts(observation: Observation): string[] {
  const sections: string[] = [];
  const location = observation.location;
  if (location) {
    const lines = [
      location.file &&
        `- **File:** ${code(location.file)}${
          location.startLine
            ? ` line ${location.startLine}${
                location.endLine && location.endLine !== location.startLine
                  ? `–${location.endLine}`
                  : ''
              }`
            : ''
        }`,
      location.image && `- **Image:** ${code(location.image)}`,
      location.uri && `- **URI:** ${code(location.uri)}`,
      location.endpoint && `- **Endpoint:** ${code(location.endpoint)}`,
    ].filter(Boolean);
    if (lines.length > 0) sections.push(['### Location', ...lines].join('\n'));
  }
  const pkg = observation.package;
  if (pkg) {
    sections.push(
      [
        '### Package',
        pkg.name && `- **Name:** ${code(pkg.name)}`,
        pkg.version && `- **Installed version:** ${code(pkg.version)}`,
        `- **Fixed version:** ${
          pkg.fixedVersion ? code(pkg.fixedVersion) : 'none available'
        }`,
        pkg.purl && `- **Package URL:** ${code(pkg.purl)}`,
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }
  if (observation.vulnerabilityIds.length > 0) {
    sections.push(
      [
        '### Vulnerabilities',
        ...observation.vulnerabilityIds.map(
          id => `- [${id}](${advisoryUrl(id)})`,
        ),
      ].join('\n'),
    );
  }
  if (observation.cwes.length > 0) {
    sections.push(
      `**Weaknesses:** ${observation.cwes
        .map(cwe => {
          const number = /^CWE-(\d+)$/i.exec(cwe)?.[1];
          return number
            ? `[${cwe}](https://cwe.mitre.org/data/definitions/${number}.html)`
            : cwe;
        })
        .join(', ')}`,
    );
  }
  return sections;
}

/**
 * The issue of an observation: title, markdown body, the configured labels,
 * and the state the rules decided. A body over the tracker's limit loses
 * the end of its description, with a note. The marker that identifies the
 * observation on the tracker is the client's to add.
 */
export function renderIssue(options: {
  observation: Observation;
  decision: IssueDecision;
  labels: string[];
  appBaseUrl: string;
  bodyLimit: number;
}): DesiredIssue {
  const { observation, decision } = options;
  const observationUrl = securityTabUrl(options.appBaseUrl, observation);
  const status = observation.status.replace(/_/g, ' ');
  const head = [
    [
      `**Severity:** ${SEVERITY_LABELS[observation.severity]}`,
      `**Status:** ${status}`,
      `**Scanner:** ${code(observation.scanner)}`,
      `**Branch:** ${code(observation.branch)}`,
      observation.ruleId && `**Rule:** ${code(observation.ruleId)}`,
    ]
      .filter(Boolean)
      .join(' · '),
    decision.state === 'closed' && decision.because
      ? `> **Closed:** ${decision.because}.`
      : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  const tail = [
    ...facts(observation),
    '---',
    `[See this observation on the Security tab in Backstage](${observationUrl}) · _Kept in sync by Security Observations for Backstage: edits to the title and this text are overwritten; labels, assignees and milestones stay._`,
  ].join('\n\n');
  const description = neutralizeMentions(observation.description.trim());
  const bodyWithin = (limit: number) =>
    fitBody({ head, description, tail }, limit);
  return {
    observationId: observation.id,
    title: issueTitle(observation),
    body: bodyWithin(options.bodyLimit),
    bodyWithin,
    labels: options.labels,
    state: decision.state,
    closeReason: decision.closeReason,
    observation,
    observationUrl,
  };
}

/**
 * Head, description and tail within `limit` characters: the description
 * is cut with a note when the whole is too long, so the facts and the link
 * back to the tab always stay.
 */
function fitBody(
  parts: { head: string; description: string; tail: string },
  limit: number,
): string {
  const { head, description, tail } = parts;
  const whole = [head, description, tail].filter(Boolean).join('\n\n');
  if (whole.length <= limit) return whole;
  const note = `\n\n_The description was cut here: it is ${description.length.toLocaleString(
    'en-US',
  )} characters long. The whole text is on the Security tab._`;
  const fence = '\n```';
  const room =
    limit - head.length - tail.length - note.length - fence.length - 4;
  let cut = truncate(description, room);
  // A code block cut open would swallow the rest of the body.
  if ((cut.match(/^\s*```/gm) ?? []).length % 2 === 1) cut += fence;
  return truncate([head, `${cut}${note}`, tail].join('\n\n'), limit);
}
