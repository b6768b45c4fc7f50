import { Entity } from '@backstage/catalog-model';
import { ResponseErrorPanel, Table } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  ListObservationsQuery,
  Observation,
} from 'backstage-plugin-security-observations-common';
import { memo, useEffect, useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { securityObservationsApiRef } from '../../api';
import { useDangerButtonStyles } from '../DeleteObservationsDialog/dangerButtonStyles';
import {
  DEFAULT_FILTERS,
  ObservationFilters,
} from '../EntitySecurityContent/useObservationListView';
import { DisabledReasonTooltip } from '../permissions/DisabledReasonTooltip';
import { AssessPermission } from '../permissions/useAssessPermission';
import { ColumnChooser } from './ColumnChooser';
import { CursorPagination, PAGE_SIZES } from './CursorPagination';
import {
  DEFAULT_HIDDEN_COLUMNS,
  minTableWidth,
  ObservationColumnId,
  observationColumns,
  SELECTION_COLUMN_WIDTH,
} from './observationColumns';
import { ObservationFilterBar } from './ObservationFilterBar';
import { apiSort, isSortField } from './observationSort';
import { useColumnVisibility } from './useColumnVisibility';
import { useCursorPaging } from './useCursorPaging';

const DEFAULT_PAGE_SIZE = PAGE_SIZES[1];

const useStyles = makeStyles({
  // The fixed layout (tableLayout below) keeps the columns at the widths
  // observationColumns gives; the selection column needs room for its
  // checkbox there. Narrower than the shown columns need, the table
  // scrolls sideways.
  table: {
    '& th:first-child, & td:first-child': {
      width: `${SELECTION_COLUMN_WIDTH}px !important`,
      boxSizing: 'border-box',
    },
    '& table': {
      minWidth: ({ minWidth }: { minWidth: number }) => minWidth,
    },
  },
});

const csvList = (text: string) =>
  text
    .split(',')
    .map(part => part.trim())
    .filter(Boolean);

/**
 * The entity's observations, filtered, sorted and paged by the backend.
 * Rows open the details drawer; selected rows can be assessed together,
 * or deleted together by a user with the delete permission.
 * Memoized: a page of rows is the costliest part of the tab to render, and
 * the summary, the trend and the permission arrive around the same time.
 */
export const ObservationsTable = memo(function ObservationsTableView({
  entity,
  entityRef,
  filters,
  onFiltersChange,
  onOpen,
  onAssess,
  onDelete,
  permission,
  deleteAllowed,
  refreshKey,
  onPageShown,
}: {
  entity: Entity;
  entityRef: string;
  filters: ObservationFilters;
  onFiltersChange: (change: Partial<ObservationFilters>) => void;
  onOpen: (observation: Observation) => void;
  onAssess: (observations: Observation[]) => void;
  onDelete: (observations: Observation[]) => void;
  permission: AssessPermission;
  /** Whether the user may delete; without it, no delete control shows. */
  deleteAllowed: boolean;
  refreshKey: number;
  /** Called once a page (or the error of its request) is shown. */
  onPageShown?: () => void;
}) {
  const api = useApi(securityObservationsApiRef);
  const [pageSize, setPageSize] = useState(DEFAULT_PAGE_SIZE);
  const query: ListObservationsQuery = useMemo(
    () => ({
      entityRef,
      status: filters.statuses,
      severity: filters.severities,
      scanner: csvList(filters.scanner),
      branch: csvList(filters.branch),
      q: filters.q,
      sort: filters.sort,
      limit: pageSize,
    }),
    [entityRef, filters, pageSize],
  );
  const queryKey = JSON.stringify(query);
  const paging = useCursorPaging(queryKey);
  const page = useAsync(
    () => api.listObservations({ ...query, cursor: paging.cursor }),
    // `query` is covered by its key, which changes only with its content.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, queryKey, paging.cursor, refreshKey],
  );

  // Selection is per page: a new page (or a refresh) starts unselected.
  const [selected, setSelected] = useState<Observation[]>([]);
  useEffect(
    () => setSelected(previous => (previous.length ? [] : previous)),
    [page.value],
  );

  const shown = !page.loading && !!(page.value || page.error);
  useEffect(() => {
    if (shown) onPageShown?.();
  }, [shown, onPageShown]);

  const { isHidden, setHidden } = useColumnVisibility(DEFAULT_HIDDEN_COLUMNS);
  const columns = useMemo(
    () => observationColumns({ entity, sort: filters.sort, onOpen, isHidden }),
    [entity, filters.sort, onOpen, isHidden],
  );
  // The chooser lists every column a person may hide.
  const optionalColumns = useMemo(
    () =>
      columns
        .filter(column => column.removable !== false)
        .map(column => ({
          id: column.field as ObservationColumnId,
          title: String(column.title),
        })),
    [columns],
  );
  const items = page.value?.items ?? [];
  const classes = useStyles({ minWidth: minTableWidth(isHidden) });
  const dangerClasses = useDangerButtonStyles();

  return (
    <Paper>
      <Box px={2} pt={2}>
        <Box
          display="flex"
          alignItems="center"
          justifyContent="space-between"
          flexWrap="wrap"
          mb={2}
        >
          <Box>
            <Typography variant="h5" component="h2">
              Observations
            </Typography>
            {page.value && (
              <Typography variant="body2" color="textSecondary">
                {page.value.totalCount} matching
              </Typography>
            )}
          </Box>
          <Box display="flex" alignItems="center" style={{ gap: 8 }}>
            <ColumnChooser
              columns={optionalColumns}
              isHidden={isHidden}
              onChange={setHidden}
            />
            <DisabledReasonTooltip
              reason={
                permission.disabledReason ??
                (selected.length === 0
                  ? 'Select observations to assess them together'
                  : undefined)
              }
            >
              <Button
                variant="contained"
                color="primary"
                disabled={!permission.allowed || selected.length === 0}
                onClick={() => onAssess(selected)}
              >
                Assess selected ({selected.length})
              </Button>
            </DisabledReasonTooltip>
            {deleteAllowed && (
              <DisabledReasonTooltip
                reason={
                  selected.length === 0
                    ? 'Select observations to delete them together'
                    : undefined
                }
              >
                <Button
                  variant="outlined"
                  className={dangerClasses.outlined}
                  disabled={selected.length === 0}
                  onClick={() => onDelete(selected)}
                >
                  Delete selected ({selected.length})
                </Button>
              </DisabledReasonTooltip>
            )}
          </Box>
        </Box>
        <ObservationFilterBar filters={filters} onChange={onFiltersChange} />
      </Box>
      {page.error ? (
        <Box p={2}>
          <ResponseErrorPanel error={page.error} title="Observations" />
        </Box>
      ) : (
        <div className={classes.table}>
          <Table<Observation>
            columns={columns}
            data={items}
            isLoading={page.loading}
            options={{
              toolbar: false,
              paging: false,
              search: false,
              sorting: true,
              // Header clicks toggle ascending and descending, starting
              // ascending on a new column; the URL keeps the result.
              keepSortDirectionOnColumnSwitch: false,
              thirdSortClick: false,
              selection: true,
              showTextRowsSelected: false,
              draggable: false,
              padding: 'dense',
              tableLayout: 'fixed',
              selectionProps: (observation: Observation) => ({
                inputProps: { 'aria-label': `Select ${observation.title}` },
              }),
              headerSelectionProps: {
                inputProps: {
                  'aria-label': 'Select all observations on this page',
                },
              },
            }}
            onSelectionChange={rows => setSelected(rows)}
            onRowClick={(_event, observation) =>
              observation && onOpen(observation)
            }
            onOrderChange={(columnIndex, direction) => {
              const field = columns[columnIndex]?.field;
              onFiltersChange({
                sort:
                  isSortField(field) && direction
                    ? apiSort(field, direction)
                    : DEFAULT_FILTERS.sort,
              });
            }}
            emptyContent={
              <Box p={4} textAlign="center">
                <Typography variant="body1">
                  No observations match these filters.
                </Typography>
              </Box>
            }
            style={{ boxShadow: 'none' }}
          />
          <CursorPagination
            pageIndex={paging.pageIndex}
            pageSize={pageSize}
            itemsOnPage={items.length}
            totalCount={page.value?.totalCount ?? 0}
            hasNext={!!page.value?.nextCursor}
            disabled={page.loading}
            onPrevious={paging.previous}
            onNext={() =>
              page.value?.nextCursor && paging.next(page.value.nextCursor)
            }
            onPageSizeChange={setPageSize}
          />
        </div>
      )}
    </Paper>
  );
});
