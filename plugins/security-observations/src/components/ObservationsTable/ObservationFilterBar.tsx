import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import ListItemText from '@material-ui/core/ListItemText';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import {
  SEVERITIES,
  Severity,
  Status,
  STATUSES,
} from 'backstage-plugin-security-observations-common';
import {
  DEFAULT_FILTERS,
  ObservationFilters,
} from '../EntitySecurityContent/useObservationListView';
import { SEVERITY_LABELS } from '../observationFields/severities';
import { STATUS_LABELS } from '../observationFields/statuses';
import { DebouncedTextField } from './DebouncedTextField';

const fieldStyle = { minWidth: 180, marginRight: 16, marginBottom: 8 };

/** What the free-text filters share. */
const textFieldProps = {
  size: 'small',
  variant: 'outlined',
  style: fieldStyle,
  InputLabelProps: { shrink: true },
} as const;

function MultiSelect<T extends string>({
  id,
  label,
  emptyLabel,
  options,
  labels,
  value,
  onChange,
}: {
  id: string;
  label: string;
  emptyLabel: string;
  options: readonly T[];
  labels: Record<T, string>;
  value: T[];
  onChange: (value: T[]) => void;
}) {
  return (
    <TextField
      select
      id={id}
      label={label}
      size="small"
      variant="outlined"
      style={fieldStyle}
      value={value}
      onChange={event => onChange(event.target.value as unknown as T[])}
      InputLabelProps={{ shrink: true }}
      SelectProps={{
        multiple: true,
        displayEmpty: true,
        renderValue: selected => {
          const items = selected as T[];
          return items.length
            ? items.map(item => labels[item]).join(', ')
            : emptyLabel;
        },
      }}
    >
      {options.map(option => (
        <MenuItem key={option} value={option}>
          <Checkbox
            size="small"
            checked={value.includes(option)}
            inputProps={{ 'aria-hidden': true }}
            tabIndex={-1}
          />
          <ListItemText primary={labels[option]} />
        </MenuItem>
      ))}
    </TextField>
  );
}

/** Status, severity, scanner, branch and free-text filters of the table. */
export const ObservationFilterBar = ({
  filters,
  onChange,
}: {
  filters: ObservationFilters;
  onChange: (change: Partial<ObservationFilters>) => void;
}) => (
  <Box
    display="flex"
    flexWrap="wrap"
    alignItems="center"
    role="search"
    aria-label="Filter observations"
  >
    <MultiSelect<Status>
      id="security-observations-filter-status"
      label="Status"
      emptyLabel="Any status"
      options={STATUSES}
      labels={STATUS_LABELS}
      value={filters.statuses}
      onChange={statuses => onChange({ statuses })}
    />
    <MultiSelect<Severity>
      id="security-observations-filter-severity"
      label="Severity"
      emptyLabel="Any severity"
      options={SEVERITIES}
      labels={SEVERITY_LABELS}
      value={filters.severities}
      onChange={severities => onChange({ severities })}
    />
    <DebouncedTextField
      id="security-observations-filter-scanner"
      label="Scanner"
      placeholder="trivy, codeql"
      {...textFieldProps}
      value={filters.scanner}
      onValueChange={scanner => onChange({ scanner })}
    />
    <DebouncedTextField
      id="security-observations-filter-branch"
      label="Branch"
      placeholder="main"
      {...textFieldProps}
      value={filters.branch}
      onValueChange={branch => onChange({ branch })}
    />
    <DebouncedTextField
      id="security-observations-filter-search"
      label="Search"
      placeholder="Title, rule, CVE, package or file"
      {...textFieldProps}
      style={{ ...fieldStyle, minWidth: 260 }}
      inputProps={{ maxLength: 200 }}
      value={filters.q}
      onValueChange={q => onChange({ q })}
    />
    <Button
      size="small"
      onClick={() => onChange({ ...DEFAULT_FILTERS, sort: filters.sort })}
      style={{ marginBottom: 8 }}
    >
      Reset filters
    </Button>
  </Box>
);
