import Chip, { ChipProps } from '@material-ui/core/Chip';
import { Severity } from 'backstage-plugin-security-observations-common';
import { SEVERITY_COLORS, SEVERITY_LABELS } from './severities';

/**
 * A severity in its colour, always with its name. `label` replaces the
 * name, e.g. with a count ("Critical: 2").
 */
export const SeverityChip = ({
  severity,
  label,
  ...chipProps
}: { severity: Severity; label?: string } & Omit<
  ChipProps,
  'label' | 'color'
>) => {
  const colors = SEVERITY_COLORS[severity];
  return (
    <Chip
      size="small"
      {...chipProps}
      label={label ?? SEVERITY_LABELS[severity]}
      style={{
        backgroundColor: colors.background,
        color: colors.text,
        ...chipProps.style,
      }}
    />
  );
};
