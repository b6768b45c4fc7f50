import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { format } from 'node:util';
import { mockSecurityObservationsApi } from '../../__testUtils__/mockSecurityObservationsApi';
import {
  minimistObservation,
  observations,
  trackerStateObservations,
} from '../../__testUtils__/observations';
import {
  renderOnEntityPage,
  renderSecurityTab,
} from '../../__testUtils__/renderSecurityTab';
import { EntitySecurityCard } from '../EntitySecurityCard';

/**
 * Deprecations in libraries the tab builds on (material-table's
 * defaultProps, Material UI v4's findDOMNode): theirs to fix.
 */
const THIRD_PARTY_DEPRECATIONS = [
  /Support for defaultProps will be removed/,
  /findDOMNode is deprecated/,
];

/** React's warnings about our markup logged by `render`. */
async function reactWarningsOf(render: () => Promise<void>) {
  const consoleError = jest.spyOn(console, 'error');
  try {
    await render();
    return consoleError.mock.calls
      .map(args => format(...args))
      .filter(message => message.startsWith('Warning:'))
      .filter(
        message =>
          !THIRD_PARTY_DEPRECATIONS.some(pattern => pattern.test(message)),
      );
  } finally {
    consoleError.mockRestore();
  }
}

// A file of its own: React logs each warning once per component type and
// module instance, so a test after others of the tab could miss one.
describe('EntitySecurityContent', () => {
  it('renders the tab, with the details drawer and the deletion confirmation open, without React warnings (keys, DOM nesting)', async () => {
    const api = mockSecurityObservationsApi({
      listObservations: async () => ({
        items: [...observations, ...trackerStateObservations],
        totalCount: 7,
      }),
    });

    const warnings = await reactWarningsOf(async () => {
      await renderSecurityTab({
        api,
        route: `/?observation=${minimistObservation.id}`,
      });
      const drawer = within(
        await screen.findByRole('dialog', { name: minimistObservation.title }),
      );
      await drawer.findByRole('list', { name: 'History' });
      await drawer.findByRole('list', { name: 'Comments' });
      // The drawer is modal: the tab behind it is hidden from roles.
      await screen.findByRole('table', {
        name: 'Mean time to resolve by severity',
        hidden: true,
      });
      await screen.findByText('7 matching');
      await userEvent.click(
        await drawer.findByRole('button', { name: 'Delete' }),
      );
      await screen.findByRole('dialog', {
        name: `Delete “${minimistObservation.title}”?`,
      });
    });

    expect(warnings).toEqual([]);
  });

  it('renders the overview card without React warnings', async () => {
    const warnings = await reactWarningsOf(async () => {
      await renderOnEntityPage(<EntitySecurityCard />, {
        api: mockSecurityObservationsApi(),
      });
      await screen.findByRole('list', { name: 'Newest critical and high' });
    });

    expect(warnings).toEqual([]);
  });
});
