import Box from '@material-ui/core/Box';
import {
  EntitySummary,
  SEVERITIES,
  Severity,
} from 'backstage-plugin-security-observations-common';
import { SeverityChip } from '../observationFields/SeverityChip';
import { SEVERITY_LABELS } from '../observationFields/severities';

/**
 * Active observations per severity. Each chip filters the table to its
 * severity; the chip of the current filter is pressed, and clicking it
 * again lifts the filter.
 */
export const SeverityCountChips = ({
  activeBySeverity,
  selected,
  onSelect,
}: {
  activeBySeverity: EntitySummary['activeBySeverity'];
  selected: Severity[];
  onSelect: (severity: Severity) => void;
}) => (
  <Box
    display="flex"
    flexWrap="wrap"
    mb={1}
    role="group"
    aria-label="Active observations by severity"
  >
    {SEVERITIES.map(severity => {
      const pressed = selected.length === 1 && selected[0] === severity;
      return (
        <Box key={severity} mr={1} mb={1}>
          <SeverityChip
            severity={severity}
            size="medium"
            label={`${SEVERITY_LABELS[severity]}: ${
              activeBySeverity[severity] ?? 0
            }`}
            onClick={() => onSelect(severity)}
            aria-pressed={pressed}
            style={pressed ? { outline: '3px solid', outlineOffset: 2 } : {}}
          />
        </Box>
      );
    })}
  </Box>
);
