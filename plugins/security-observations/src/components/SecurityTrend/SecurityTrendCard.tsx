import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import useAsync from 'react-use/esm/useAsync';
import { securityObservationsApiRef } from '../../api';
import { MeanTimeToResolve } from './MeanTimeToResolve';
import { SeverityTrendChart } from './SeverityTrendChart';

export const TREND_DAYS = 90;

/** How the entity's active observations developed, and how fast they go. */
export const SecurityTrendCard = ({
  entityRef,
  refreshKey,
}: {
  entityRef: string;
  refreshKey: number;
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
          <SeverityTrendChart trend={value} />
          <Box mt={2}>
            <MeanTimeToResolve trend={value} />
          </Box>
        </>
      )}
    </InfoCard>
  );
};
