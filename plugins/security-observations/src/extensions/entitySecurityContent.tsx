import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isSecurityObservationsAvailable } from '../isSecurityObservationsAvailable';

/** The Security tab on component pages, for the new frontend system. */
export const entitySecurityContent = EntityContentBlueprint.make({
  name: 'security',
  params: {
    path: '/security',
    title: 'Security',
    filter: isSecurityObservationsAvailable,
    loader: () =>
      import('../components/EntitySecurityContent').then(m => (
        <m.EntitySecurityContent />
      )),
  },
});
