import { makeStyles } from '@material-ui/core/styles';
import { ElementType } from 'react';

const useStyles = makeStyles({
  path: {
    display: 'inline-block',
    maxWidth: '100%',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    verticalAlign: 'top',
  },
  // Right to left, a line too long loses its start to the ellipsis: the
  // leading folders, which say least, rather than the file name and line.
  cutStart: {
    direction: 'rtl',
  },
  // The text itself still reads, and copies, left to right.
  text: {
    direction: 'ltr',
    unicodeBidi: 'isolate',
  },
});

/**
 * A path (a file and its lines, an image, a package) on one line: too long
 * for its column, it is cut with an ellipsis, by default at the start, so
 * that the file name and line, which say most, stay. The whole path is its
 * tooltip; screen readers and copying get it whole too.
 */
export const TruncatedPath = ({
  path,
  component: Component = 'code',
  cut = 'start',
}: {
  path: string;
  component?: ElementType;
  /** Where a path too long loses characters: `end` for `name@version`. */
  cut?: 'start' | 'end';
}) => {
  const classes = useStyles();
  return (
    <Component
      className={`${classes.path} ${cut === 'start' ? classes.cutStart : ''}`}
      title={path}
    >
      <span className={classes.text}>{path}</span>
    </Component>
  );
};
