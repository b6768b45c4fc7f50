import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { securityObservationsApiRef } from '../../api';

/**
 * The Security tab of an entity page.
 * @public
 */
export const EntitySecurityContent = () => {
  const { entity } = useEntity();
  const api = useApi(securityObservationsApiRef);
  const { value, loading, error } = useAsync(() => api.getHealth(), [api]);

  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} title="Security observations" />;
  }

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <InfoCard title="Security observations">
          <Typography variant="body1" paragraph>
            No scanner report has been imported for{' '}
            <strong>{stringifyEntityRef(entity)}</strong> yet.
          </Typography>
          <Typography variant="body2" color="textSecondary">
            Connected to the security observations backend (database{' '}
            {value?.database.client}
            {value?.database.ok ? '' : ', not answering'}).
          </Typography>
        </InfoCard>
      </Grid>
    </Grid>
  );
};
