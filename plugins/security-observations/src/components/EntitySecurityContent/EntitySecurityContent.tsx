import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import {
  Observation,
  Severity,
  Status,
} from 'backstage-plugin-security-observations-common';
import { useCallback, useMemo, useReducer, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { securityObservationsApiRef } from '../../api';
import { AssessmentDialog } from '../AssessmentDialog/AssessmentDialog';
import { DeleteObservationsDialog } from '../DeleteObservationsDialog/DeleteObservationsDialog';
import { NotScannedEmptyState } from '../NotScannedEmptyState/NotScannedEmptyState';
import { ObservationDrawer } from '../ObservationDrawer/ObservationDrawer';
import { ObservationsTable } from '../ObservationsTable/ObservationsTable';
import { ACTIVE_STATUSES } from '../observationFields/statuses';
import { useAssessPermission } from '../permissions/useAssessPermission';
import { useDeletePermission } from '../permissions/useDeletePermission';
import { SecuritySummaryCard } from '../SecuritySummaryCard/SecuritySummaryCard';
import { SecurityTrendCard } from '../SecurityTrend/SecurityTrendCard';
import {
  ObservationFilters,
  useObservationListView,
} from './useObservationListView';

/**
 * The Security tab of an entity page: summary, trend, the observations
 * table, the details drawer, and the assessment and deletion dialogs.
 * Filters, sort and the open observation live in the URL.
 * @public
 */
export const EntitySecurityContent = () => {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(securityObservationsApiRef);
  const permission = useAssessPermission(entityRef);
  const deleteAllowed = useDeletePermission(entityRef);
  const { view, setFilters, openObservation } = useObservationListView();
  // Bumped after a change (assessment, deletion, sync) so every part reloads.
  const [refreshKey, refresh] = useReducer((n: number) => n + 1, 0);
  const [assessing, setAssessing] = useState<Observation[]>([]);
  const [deleting, setDeleting] = useState<Observation[]>([]);
  // The trend chart's code is large; it loads once the table shows rows,
  // so that it does not hold them up.
  const [tableShown, setTableShown] = useState(false);
  const onTablePageShown = useCallback(() => setTableShown(true), []);

  const summary = useAsync(
    () => api.getSummary(entityRef),
    [api, entityRef, refreshKey],
  );

  const filters: ObservationFilters = useMemo(
    () => ({
      statuses: view.statuses,
      severities: view.severities,
      scanner: view.scanner,
      branch: view.branch,
      q: view.q,
      sort: view.sort,
    }),
    [
      view.statuses,
      view.severities,
      view.scanner,
      view.branch,
      view.q,
      view.sort,
    ],
  );

  // The chips count active observations, so choosing one shows exactly
  // those: that severity among the active statuses. Choosing it again
  // lifts the severity filter.
  const onSeveritySelect = useCallback(
    (severity: Severity) =>
      setFilters({
        severities:
          view.severities.length === 1 && view.severities[0] === severity
            ? []
            : [severity],
        statuses: ACTIVE_STATUSES,
      }),
    [setFilters, view.severities],
  );
  // Status counts are over every severity.
  const onStatusSelect = useCallback(
    (status: Status) => setFilters({ statuses: [status], severities: [] }),
    [setFilters],
  );
  const onOpen = useCallback(
    (observation: Observation) => openObservation(observation.id),
    [openObservation],
  );
  const onCloseDrawer = useCallback(
    () => openObservation(undefined),
    [openObservation],
  );
  const onAssessed = useCallback(() => {
    setAssessing([]);
    refresh();
  }, []);
  const onDeleteOne = useCallback(
    (observation: Observation) => setDeleting([observation]),
    [],
  );
  const onDeleted = useCallback(
    (deleted: Observation[]) => {
      setDeleting([]);
      // The drawer would show the deleted observation as not found.
      if (deleted.some(observation => observation.id === view.observationId)) {
        openObservation(undefined);
      }
      refresh();
    },
    [openObservation, view.observationId],
  );

  if (summary.error) {
    return (
      <ResponseErrorPanel error={summary.error} title="Security observations" />
    );
  }
  if (summary.value?.total === 0 && summary.value.lastImportAt === null) {
    return <NotScannedEmptyState />;
  }

  // The table does not wait for the summary: the tab's requests start
  // together, so the first rows show one round trip after the tab opens.
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={5}>
        {summary.value ? (
          <SecuritySummaryCard
            summary={summary.value}
            selectedSeverities={view.severities}
            onSeveritySelect={onSeveritySelect}
            onStatusSelect={onStatusSelect}
            permission={permission}
            onSynced={refresh}
          />
        ) : (
          <InfoCard title="Security observations">
            <Progress />
          </InfoCard>
        )}
      </Grid>
      <Grid item xs={12} md={7}>
        <SecurityTrendCard
          entityRef={entityRef}
          refreshKey={refreshKey}
          showChart={tableShown}
        />
      </Grid>
      <Grid item xs={12}>
        <ObservationsTable
          entity={entity}
          entityRef={entityRef}
          filters={filters}
          onFiltersChange={setFilters}
          onOpen={onOpen}
          onAssess={setAssessing}
          onDelete={setDeleting}
          permission={permission}
          deleteAllowed={deleteAllowed}
          refreshKey={refreshKey}
          onPageShown={onTablePageShown}
        />
      </Grid>
      {summary.value && (
        <ObservationDrawer
          entity={entity}
          observationId={view.observationId}
          summary={summary.value}
          permission={permission}
          deleteAllowed={deleteAllowed}
          refreshKey={refreshKey}
          onClose={onCloseDrawer}
          onAssess={observation => setAssessing([observation])}
          onDelete={onDeleteOne}
          onChanged={refresh}
        />
      )}
      <AssessmentDialog
        entityRef={entityRef}
        observations={assessing}
        permission={permission}
        onClose={() => setAssessing([])}
        onAssessed={onAssessed}
      />
      <DeleteObservationsDialog
        entityRef={entityRef}
        observations={deleting}
        trackerRouting={summary.value?.tracker}
        onClose={() => setDeleting([])}
        onDeleted={onDeleted}
      />
    </Grid>
  );
};
