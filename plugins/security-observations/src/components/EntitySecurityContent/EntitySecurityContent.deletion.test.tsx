import { ResponseError } from '@backstage/errors';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Observation } from 'backstage-plugin-security-observations-common';
import { mockSecurityObservationsApi } from '../../__testUtils__/mockSecurityObservationsApi';
import {
  awsKeyObservation,
  glibcObservation,
  minimistObservation,
  observations,
} from '../../__testUtils__/observations';
import {
  currentSearchParams,
  renderSecurityTab,
} from '../../__testUtils__/renderSecurityTab';
import { SecurityObservationsApi } from '../../api';

/** The API over observations that deletions remove, as the backend does. */
function deletingApi(overrides: Partial<SecurityObservationsApi> = {}) {
  let stored: Observation[] = [...observations];
  const remove = (ids: string[]) => {
    stored = stored.filter(observation => !ids.includes(observation.id));
  };
  return mockSecurityObservationsApi({
    listObservations: async () => ({
      items: stored,
      totalCount: stored.length,
    }),
    deleteObservation: async id => remove([id]),
    deleteObservations: async ({ observationIds }) => {
      remove(observationIds);
      return { deleted: observationIds.length, issuesToClose: 0 };
    },
    ...overrides,
  });
}

/** A row of the observations table, by its title; found behind a modal too. */
const row = (title: string) =>
  screen.queryByRole('button', { name: title, hidden: true });

const callCounts = (api: jest.Mocked<SecurityObservationsApi>) => ({
  list: api.listObservations.mock.calls.length,
  summary: api.getSummary.mock.calls.length,
  trend: api.getTrend.mock.calls.length,
});

// With the delete permission (every test here is allowed: usePermission
// caches decisions per module instance). Without it, see
// EntitySecurityContent.deletePermission.test.tsx.
describe('EntitySecurityContent deleting observations', () => {
  it('deletes from the drawer after confirmation, closes both and reloads table, summary and trend', async () => {
    const user = userEvent.setup();
    const api = deletingApi();
    await renderSecurityTab({
      api,
      route: `/?observation=${minimistObservation.id}`,
    });
    const drawer = within(
      await screen.findByRole('dialog', { name: minimistObservation.title }),
    );
    await screen.findByText(`${observations.length} matching`);
    const before = callCounts(api);

    await user.click(await drawer.findByRole('button', { name: 'Delete' }));
    const confirmation = await screen.findByRole('dialog', {
      name: `Delete “${minimistObservation.title}”?`,
    });
    expect(confirmation).toHaveAccessibleDescription(
      /Its GitHub issue acme\/payments-api#231 is closed as not planned\./,
    );
    await user.click(
      within(confirmation).getByRole('button', { name: 'Delete observation' }),
    );

    expect(api.deleteObservation).toHaveBeenCalledWith(minimistObservation.id);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(currentSearchParams().has('observation')).toBe(false);
    expect(
      await screen.findByText(`${observations.length - 1} matching`),
    ).toBeInTheDocument();
    expect(row(minimistObservation.title)).toBeNull();
    expect(row(glibcObservation.title)).toBeInTheDocument();
    const after = callCounts(api);
    expect(after.list).toBeGreaterThan(before.list);
    expect(after.summary).toBeGreaterThan(before.summary);
    expect(after.trend).toBeGreaterThan(before.trend);
  });

  it('keeps the observation and the drawer when the backend refuses, with its message', async () => {
    const user = userEvent.setup();
    const error = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: { name: 'NotAllowedError', message: 'Unauthorized' },
          response: { statusCode: 403 },
        }),
        { status: 403, headers: { 'content-type': 'application/json' } },
      ),
    );
    const api = deletingApi({
      deleteObservation: async () => {
        throw error;
      },
    });
    await renderSecurityTab({
      api,
      route: `/?observation=${minimistObservation.id}`,
    });
    const drawer = within(
      await screen.findByRole('dialog', { name: minimistObservation.title }),
    );
    await screen.findByText(`${observations.length} matching`);
    const listCalls = api.listObservations.mock.calls.length;

    await user.click(await drawer.findByRole('button', { name: 'Delete' }));
    const confirmation = within(
      await screen.findByRole('dialog', {
        name: `Delete “${minimistObservation.title}”?`,
      }),
    );
    await user.click(
      confirmation.getByRole('button', { name: 'Delete observation' }),
    );

    expect(await confirmation.findByRole('alert')).toHaveTextContent(
      'The observation was not deleted: Unauthorized',
    );
    await user.click(confirmation.getByRole('button', { name: 'Cancel' }));
    // The drawer is back on top once the confirmation has faded out.
    expect(
      await screen.findByRole('dialog', { name: minimistObservation.title }),
    ).toBeInTheDocument();
    expect(currentSearchParams().get('observation')).toBe(
      minimistObservation.id,
    );
    expect(row(minimistObservation.title)).toBeInTheDocument();
    expect(api.listObservations.mock.calls.length).toBe(listCalls);
  });

  it('deletes the selected rows together with one request', async () => {
    const user = userEvent.setup();
    const api = deletingApi();
    await renderSecurityTab({ api });
    await screen.findByText(`${observations.length} matching`);

    const deleteSelected = screen.getByRole('button', {
      name: 'Delete selected (0)',
    });
    expect(deleteSelected).toBeDisabled();
    expect(deleteSelected).toHaveAccessibleDescription(
      'Select observations to delete them together',
    );
    await user.click(
      screen.getByRole('checkbox', {
        name: `Select ${glibcObservation.title}`,
      }),
    );
    await user.click(
      screen.getByRole('checkbox', {
        name: `Select ${awsKeyObservation.title}`,
      }),
    );
    await user.click(
      screen.getByRole('button', { name: 'Delete selected (2)' }),
    );
    const confirmation = await screen.findByRole('dialog', {
      name: 'Delete 2 observations?',
    });
    await user.click(
      within(confirmation).getByRole('button', {
        name: 'Delete 2 observations',
      }),
    );

    expect(api.deleteObservations).toHaveBeenCalledWith({
      entityRef: 'component:default/payments-api',
      observationIds: [glibcObservation.id, awsKeyObservation.id],
    });
    expect(
      await screen.findByText(`${observations.length - 2} matching`),
    ).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(row(glibcObservation.title)).toBeNull();
    expect(row(awsKeyObservation.title)).toBeNull();
    expect(row(minimistObservation.title)).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Delete selected (0)' }),
    ).toBeDisabled();
  });
});
