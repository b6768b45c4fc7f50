import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isSecurityObservationsAvailable } from '../isSecurityObservationsAvailable';

/** The overview-page card, for the new frontend system. */
export const entitySecurityCard = EntityCardBlueprint.make({
  name: 'security',
  params: {
    filter: isSecurityObservationsAvailable,
    loader: () =>
      import('../components/EntitySecurityCard').then(m => (
        <m.EntitySecurityCard />
      )),
  },
});
