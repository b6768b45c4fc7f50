import { Entity } from '@backstage/catalog-model';
import { Link } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { Observation } from 'backstage-plugin-security-observations-common';
import { MouseEvent } from 'react';
import { safeHttpUrl } from '../../links/safeHttpUrl';
import { sourceFileUrl } from '../../links/sourceFileUrl';
import { TruncatedPath } from './TruncatedPath';

// Links sit inside clickable table rows: following one must not also open
// the details drawer.
const stopPropagation = (event: MouseEvent) => event.stopPropagation();

function fileWithLines(location: NonNullable<Observation['location']>) {
  if (!location.file) return undefined;
  if (!location.startLine) return location.file;
  const end =
    location.endLine && location.endLine !== location.startLine
      ? `-${location.endLine}`
      : '';
  return `${location.file}:${location.startLine}${end}`;
}

/** `name@version`, or the purl when the scanner gave no name. */
export function packageLabel(pkg: Observation['package']): string | undefined {
  if (!pkg) return undefined;
  if (pkg.name) return pkg.version ? `${pkg.name}@${pkg.version}` : pkg.name;
  return pkg.purl ?? undefined;
}

/**
 * Where the observation is: the package and image of a dependency finding,
 * or the file and lines of a code finding, linked to the source. Each on
 * one line, cut to the column's width (see `TruncatedPath`).
 */
export const ObservationLocation = ({
  entity,
  observation,
}: {
  entity: Entity;
  observation: Observation;
}) => {
  const { location } = observation;
  const pkg = packageLabel(observation.package);
  const file = location ? fileWithLines(location) : undefined;
  const fileUrl = sourceFileUrl(entity, observation);
  const secondary = (text: string) => (
    <Typography variant="caption" color="textSecondary" display="block">
      <TruncatedPath path={text} component="span" />
    </Typography>
  );
  // Links stay within the column, so their path can be cut.
  const linkStyle = { display: 'inline-flex', maxWidth: '100%' };

  if (pkg) {
    return (
      <>
        <TruncatedPath path={pkg} cut="end" />
        {location?.image && secondary(location.image)}
        {!location?.image && file && secondary(file)}
      </>
    );
  }
  if (file) {
    return fileUrl ? (
      <Link to={fileUrl} onClick={stopPropagation} style={linkStyle}>
        <TruncatedPath path={file} />
      </Link>
    ) : (
      <TruncatedPath path={file} />
    );
  }
  const uri = safeHttpUrl(location?.uri);
  if (uri) {
    return (
      <Link to={uri} onClick={stopPropagation} style={linkStyle}>
        <TruncatedPath path={uri} component="span" />
      </Link>
    );
  }
  const other = location?.image ?? location?.endpoint ?? location?.uri;
  return other ? <TruncatedPath path={other} /> : <>—</>;
};
