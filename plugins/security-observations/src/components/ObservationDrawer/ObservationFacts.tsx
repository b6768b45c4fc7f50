import { Entity } from '@backstage/catalog-model';
import { Link } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { Observation } from 'backstage-plugin-security-observations-common';
import { Fragment, ReactNode } from 'react';
import { advisoryUrl } from '../../links/advisoryUrl';
import { cweUrl } from '../../links/cweUrl';
import { safeHttpUrl } from '../../links/safeHttpUrl';
import { sourceFileUrl } from '../../links/sourceFileUrl';
import { RelativeTime } from '../observationFields/RelativeTime';
import { SEVERITY_LABELS } from '../observationFields/severities';
import { humanize, STATUS_LABELS } from '../observationFields/statuses';

const useStyles = makeStyles(theme => ({
  list: {
    display: 'grid',
    gridTemplateColumns: 'minmax(8em, max-content) 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(1),
    margin: 0,
  },
  term: { color: theme.palette.text.secondary },
  definition: { margin: 0, wordBreak: 'break-word' },
}));

function joined(nodes: ReactNode[]) {
  return nodes.map((node, index) => (
    <Fragment key={index}>
      {index > 0 && ', '}
      {node}
    </Fragment>
  ));
}

function lines(location: NonNullable<Observation['location']>) {
  if (!location.startLine) return '';
  return location.endLine && location.endLine !== location.startLine
    ? `, lines ${location.startLine}–${location.endLine}`
    : `, line ${location.startLine}`;
}

/** What the scanner said, where, and what was decided: a definition list. */
export const ObservationFacts = ({
  entity,
  observation,
}: {
  entity: Entity;
  observation: Observation;
}) => {
  const classes = useStyles();
  const { location } = observation;
  const pkg = observation.package;
  const fileUrl = sourceFileUrl(entity, observation);
  const uri = safeHttpUrl(location?.uri);

  const facts: [string, ReactNode][] = [
    [
      'Status',
      <>
        {STATUS_LABELS[observation.status]}
        {observation.assessedStatus &&
          observation.assessedStatus !== observation.parserStatus &&
          ` (scanner: ${STATUS_LABELS[observation.parserStatus]})`}
      </>,
    ],
    [
      'Severity',
      <>
        {SEVERITY_LABELS[observation.severity]}
        {observation.assessedSeverity &&
          ` (assessed; scanner: ${
            SEVERITY_LABELS[observation.parserSeverity]
          })`}
      </>,
    ],
  ];
  if (observation.justification) {
    facts.push(['Justification', humanize(observation.justification)]);
  }
  if (observation.riskAcceptanceExpiresAt) {
    facts.push([
      'Accepted until',
      new Date(observation.riskAcceptanceExpiresAt).toLocaleString(),
    ]);
  }
  if (observation.vulnerabilityIds.length) {
    facts.push([
      'Vulnerabilities',
      joined(
        observation.vulnerabilityIds.map(id => (
          <Link key={id} to={advisoryUrl(id)}>
            {id}
          </Link>
        )),
      ),
    ]);
  }
  if (pkg) {
    facts.push([
      'Package',
      <>
        <code>
          {pkg.name ?? pkg.purl}
          {pkg.name && pkg.version && `@${pkg.version}`}
        </code>
        {pkg.purl && pkg.name && (
          <Typography variant="caption" color="textSecondary" display="block">
            {pkg.purl}
          </Typography>
        )}
      </>,
    ]);
    facts.push([
      'Fixed in',
      pkg.fixedVersion ? <code>{pkg.fixedVersion}</code> : 'No fix released',
    ]);
  }
  if (location?.file) {
    const text = `${location.file}${lines(location)}`;
    facts.push([
      'File',
      fileUrl ? (
        <Link to={fileUrl}>
          <code>{text}</code>
        </Link>
      ) : (
        <code>{text}</code>
      ),
    ]);
  }
  if (location?.image) facts.push(['Image', <code>{location.image}</code>]);
  if (location?.endpoint) {
    facts.push(['Endpoint', <code>{location.endpoint}</code>]);
  }
  if (location?.uri && location.uri !== location.file) {
    facts.push([
      'URI',
      uri ? <Link to={uri}>{location.uri}</Link> : <code>{location.uri}</code>,
    ]);
  }
  if (observation.cwes.length) {
    facts.push([
      'Weaknesses',
      joined(
        observation.cwes.map(cwe => {
          const url = cweUrl(cwe);
          return url ? (
            <Link key={cwe} to={url}>
              {cwe}
            </Link>
          ) : (
            cwe
          );
        }),
      ),
    ]);
  }
  facts.push(['Scanner', observation.scanner], ['Branch', observation.branch]);
  if (observation.source) facts.push(['Report source', observation.source]);
  if (observation.ruleId) {
    facts.push(['Rule', <code>{observation.ruleId}</code>]);
  }
  facts.push(
    ['First seen', <RelativeTime value={observation.firstSeenAt} />],
    ['Last seen', <RelativeTime value={observation.lastSeenAt} />],
  );
  if (observation.resolvedAt) {
    facts.push(['Resolved', <RelativeTime value={observation.resolvedAt} />]);
  }

  return (
    <Box component="dl" className={classes.list}>
      {facts.map(([term, definition]) => (
        <Fragment key={term}>
          <Typography component="dt" variant="body2" className={classes.term}>
            {term}
          </Typography>
          <Typography
            component="dd"
            variant="body2"
            className={classes.definition}
          >
            {definition}
          </Typography>
        </Fragment>
      ))}
    </Box>
  );
};
