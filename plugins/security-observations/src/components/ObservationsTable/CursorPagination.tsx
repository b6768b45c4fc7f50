import Box from '@material-ui/core/Box';
import IconButton from '@material-ui/core/IconButton';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import ChevronLeftIcon from '@material-ui/icons/ChevronLeft';
import ChevronRightIcon from '@material-ui/icons/ChevronRight';

export const PAGE_SIZES = [10, 25, 50, 100];

/**
 * Previous / next over a cursor API, which cannot jump to page n: the
 * position and the total count tell where one is.
 */
export const CursorPagination = ({
  pageIndex,
  pageSize,
  itemsOnPage,
  totalCount,
  hasNext,
  disabled,
  onPrevious,
  onNext,
  onPageSizeChange,
}: {
  pageIndex: number;
  pageSize: number;
  itemsOnPage: number;
  totalCount: number;
  hasNext: boolean;
  disabled?: boolean;
  onPrevious: () => void;
  onNext: () => void;
  onPageSizeChange: (pageSize: number) => void;
}) => {
  const first = itemsOnPage ? pageIndex * pageSize + 1 : 0;
  const last = pageIndex * pageSize + itemsOnPage;
  return (
    <Box
      component="nav"
      aria-label="Observation pages"
      display="flex"
      alignItems="center"
      justifyContent="flex-end"
      flexWrap="wrap"
      px={2}
      py={1}
    >
      <TextField
        select
        id="security-observations-page-size"
        label="Rows per page"
        value={pageSize}
        onChange={event => onPageSizeChange(Number(event.target.value))}
        size="small"
        style={{ minWidth: 120, marginRight: 16 }}
      >
        {PAGE_SIZES.map(size => (
          <MenuItem key={size} value={size}>
            {size}
          </MenuItem>
        ))}
      </TextField>
      <Typography variant="body2" aria-live="polite">
        {first}–{last} of {totalCount}
      </Typography>
      <IconButton
        aria-label="Previous page"
        disabled={disabled || pageIndex === 0}
        onClick={onPrevious}
      >
        <ChevronLeftIcon />
      </IconButton>
      <IconButton
        aria-label="Next page"
        disabled={disabled || !hasNext}
        onClick={onNext}
      >
        <ChevronRightIcon />
      </IconButton>
    </Box>
  );
};
