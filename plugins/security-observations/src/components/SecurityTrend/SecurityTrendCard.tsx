import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import { lazy, Suspense } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { securityObservationsApiRef } from '../../api';
import { CHART_HEIGHT } from './chartHeight';
import { MeanTimeToResolve } from './MeanTimeToResolve';

// The chart library is most of the tab's code: loaded on its own, when the
// tab says so, it does not hold up the table's first rows.
const SeverityTrendChart = lazy(() =>
  import('./SeverityTrendChart').then(m => ({ default: m.SeverityTrendChart })),
);

export const TREND_DAYS = 90;

/** How the entity's active observations developed, and how fast they go. */
export const SecurityTrendCard = ({
  entityRef,
  refreshKey,
  showChart = true,
}: {
  entityRef: string;
  refreshKey: number;
  /** False keeps the chart's place empty, and its code unloaded, for now. */
  showChart?: boolean;
}) => {
  const api = useApi(securityObservationsApiRef);
  const { value, loading, error } = useAsync(
    () => api.getTrend(entityRef, TREND_DAYS),
    [api, entityRef, refreshKey],
  );
  return (
    <InfoCard title="Trend" subheader={`Last ${TREND_DAYS} days`}>
      {error && <ResponseErrorPanel error={error} title="Trend" />}
      {!error && loading && !value && <Progress />}
      {!error && value && (
        <>
          {showChart ? (
            <Suspense fallback={<Box height={CHART_HEIGHT} />}>
              <SeverityTrendChart trend={value} />
            </Suspense>
          ) : (
            <Box height={CHART_HEIGHT} />
          )}
          <Box mt={2}>
            <MeanTimeToResolve trend={value} />
          </Box>
        </>
      )}
    </InfoCard>
  );
};
