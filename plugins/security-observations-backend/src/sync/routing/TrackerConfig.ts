import { Config } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { TRACKER_TYPES, TrackerConfig } from '../trackers/trackerTypes';
import { TrackerKind } from '../trackers/TrackerType';
import { readTwoWaySettings } from '../../twoWay/TwoWaySettings';

export type { TrackerConfig } from '../trackers/trackerTypes';
export type { TrackerKind } from '../trackers/TrackerType';

/** The longest label GitHub accepts (and the shortest limit of the three). */
export const TRACKER_LABEL_MAX = 50;

/**
 * Reads `securityObservations.trackers`. Structure errors (a missing id, an
 * unknown type, a duplicate id, a wrong setting of a kind) stop the backend
 * at start-up with the key that is wrong; missing credentials do not, they
 * are reported per entity.
 */
export function readTrackersConfig(config: Config): TrackerConfig[] {
  const integrations = ScmIntegrations.fromConfig(config);
  const entries =
    config.getOptionalConfigArray('securityObservations.trackers') ?? [];
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const at = `securityObservations.trackers[${index}]`;
    const id = entry.getString('id');
    if (seen.has(id)) {
      throw new Error(`${at}.id: the id '${id}' is used twice`);
    }
    seen.add(id);
    const type = entry.getString('type') as TrackerKind;
    const kind = TRACKER_TYPES[type];
    if (!Object.hasOwn(TRACKER_TYPES, type)) {
      throw new Error(
        `${at}.type: '${type}' is not one of ${Object.keys(TRACKER_TYPES).join(
          ', ',
        )}`,
      );
    }
    const labels = (entry.getOptionalStringArray('labels') ?? []).map(label =>
      label.trim(),
    );
    labels.forEach((label, i) => {
      // A label the tracker refuses would fail every create of the tracker.
      if (!label || label.length > TRACKER_LABEL_MAX) {
        throw new Error(
          `${at}.labels[${i}]: a label must have 1 to ${TRACKER_LABEL_MAX} characters`,
        );
      }
    });
    return kind.readConfig(
      entry,
      {
        id,
        labels,
        credentialsProblem: null,
        twoWay: readTwoWaySettings(entry, type, at),
      },
      { at, integrations },
    ) as TrackerConfig;
  });
}
