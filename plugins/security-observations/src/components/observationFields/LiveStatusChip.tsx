import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';
import { LiveStatus, liveStatusDetails, liveStatusLabel } from './liveStatus';

const useStyles = makeStyles(theme => ({
  // A narrow table column truncates the label (MUI ellipsizes it); the
  // tooltip keeps the whole status.
  chip: { maxWidth: '100%' },
  gone: {
    color: theme.palette.error.main,
    borderColor: theme.palette.error.main,
  },
}));

/**
 * The status on the tracker, in the tracker's words ("Won't Do",
 * "Closed as not planned"), with who changed it and when the tracker was
 * last read in its tooltip. Focusable, so keyboard users get the tooltip;
 * the tooltip text is also the chip's accessible description.
 */
export const LiveStatusChip = ({ live }: { live: LiveStatus }) => {
  const classes = useStyles();
  const label = liveStatusLabel(live);
  return (
    <Tooltip title={`Live status: ${label}. ${liveStatusDetails(live)}`}>
      <Chip
        size="small"
        variant={live.state === 'closed' ? 'default' : 'outlined'}
        label={label}
        tabIndex={0}
        className={
          live.state === 'gone'
            ? `${classes.chip} ${classes.gone}`
            : classes.chip
        }
      />
    </Tooltip>
  );
};
