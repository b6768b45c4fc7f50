import {
  ApiBlueprint,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { securityObservationsApiRef, SecurityObservationsClient } from '../api';

/** The backend client, for the new frontend system. */
export const securityObservationsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: securityObservationsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new SecurityObservationsClient({ discoveryApi, fetchApi }),
    }),
});
