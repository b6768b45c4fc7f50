import { makeStyles } from '@material-ui/core/styles';

/**
 * Red buttons for deleting: Material UI v4 buttons have no error color.
 * `outlined` opens the confirmation, `contained` confirms.
 */
export const useDangerButtonStyles = makeStyles(theme => ({
  outlined: {
    color: theme.palette.error.main,
    borderColor: theme.palette.error.main,
  },
  contained: {
    color: theme.palette.error.contrastText,
    backgroundColor: theme.palette.error.main,
    '&:hover': { backgroundColor: theme.palette.error.dark },
  },
}));
