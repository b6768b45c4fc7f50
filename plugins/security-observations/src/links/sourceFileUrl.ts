import {
  ANNOTATION_SOURCE_LOCATION,
  Entity,
  parseLocationRef,
} from '@backstage/catalog-model';
import { Observation } from 'backstage-plugin-security-observations-common';

/** A repository's web address and how its hosting names file views. */
interface RepositoryWeb {
  base: string;
  blobSegment: string;
  lineAnchor: (start: number, end: number | null) => string;
}

const hasDotSegment = (path: string) =>
  path.split('/').some(segment => segment === '.' || segment === '..');

const encodePath = (path: string) =>
  path.split('/').filter(Boolean).map(encodeURIComponent).join('/');

/**
 * The repository behind `backstage.io/source-location`, when it is on GitHub
 * or GitLab (hosted or self-managed): the only hostings whose file URLs we
 * know how to build.
 */
function repositoryWeb(entity: Entity): RepositoryWeb | undefined {
  const annotation = entity.metadata.annotations?.[ANNOTATION_SOURCE_LOCATION];
  if (!annotation) return undefined;
  let url: URL;
  try {
    const { type, target } = parseLocationRef(annotation);
    if (type !== 'url') return undefined;
    url = new URL(target);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;

  // GitLab puts its views behind `/-/`, and groups nest: the project is
  // everything before it.
  const gitlabSeparator = url.pathname.indexOf('/-/');
  if (gitlabSeparator >= 0 || url.hostname.includes('gitlab')) {
    const projectPath =
      gitlabSeparator >= 0
        ? url.pathname.slice(0, gitlabSeparator)
        : url.pathname.replace(/\/+$/, '');
    return {
      base: `${url.origin}${projectPath}`,
      blobSegment: '-/blob',
      lineAnchor: (start, end) =>
        end && end !== start ? `#L${start}-${end}` : `#L${start}`,
    };
  }
  if (url.hostname.includes('github')) {
    const [owner, repo] = url.pathname.split('/').filter(Boolean);
    if (!owner || !repo) return undefined;
    return {
      base: `${url.origin}/${owner}/${repo.replace(/\.git$/, '')}`,
      blobSegment: 'blob',
      lineAnchor: (start, end) =>
        end && end !== start ? `#L${start}-L${end}` : `#L${start}`,
    };
  }
  return undefined;
}

/**
 * A link to the observation's file and lines on the branch that was scanned.
 * Scanners in CI report paths relative to the checkout, i.e. the repository
 * root. Paths inside a container image are not in the repository and get no
 * link, nor do paths with `.` or `..` segments.
 */
export function sourceFileUrl(
  entity: Entity,
  observation: Pick<Observation, 'branch' | 'location'>,
): string | undefined {
  const location = observation.location;
  const file = location?.file?.replace(/^\.?\/+/, '');
  if (!location || !file || location.image) return undefined;
  // `..` would take the link out of the repository (browsers resolve it):
  // a path that climbs names no file in the checkout, nor a branch in git.
  if (hasDotSegment(file) || hasDotSegment(observation.branch)) {
    return undefined;
  }
  const repository = repositoryWeb(entity);
  if (!repository) return undefined;
  const anchor = location.startLine
    ? repository.lineAnchor(location.startLine, location.endLine)
    : '';
  return `${repository.base}/${repository.blobSegment}/${encodePath(
    observation.branch,
  )}/${encodePath(file)}${anchor}`;
}
