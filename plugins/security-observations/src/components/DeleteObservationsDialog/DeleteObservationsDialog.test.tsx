import { AlertApi, alertApiRef } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { TestApiProvider } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Observation } from 'backstage-plugin-security-observations-common';
import { mockSecurityObservationsApi } from '../../__testUtils__/mockSecurityObservationsApi';
import {
  awsKeyObservation,
  glibcObservation,
  minimistObservation,
  notPlannedObservation,
  wontDoObservation,
} from '../../__testUtils__/observations';
import { renderOnEntityPage } from '../../__testUtils__/renderSecurityTab';
import { trackedSummary } from '../../__testUtils__/summaries';
import { SecurityObservationsApi } from '../../api';
import { DeleteObservationsDialog } from './DeleteObservationsDialog';

const entityRef = 'component:default/payments-api';

async function renderDialog(
  observations: Observation[],
  api: jest.Mocked<SecurityObservationsApi> = mockSecurityObservationsApi(),
) {
  const onDeleted = jest.fn();
  const onClose = jest.fn();
  const alertApi = { post: jest.fn(), alert$: jest.fn() };
  await renderOnEntityPage(
    <TestApiProvider apis={[[alertApiRef, alertApi as AlertApi]]}>
      <DeleteObservationsDialog
        entityRef={entityRef}
        observations={observations}
        trackerRouting={trackedSummary.tracker}
        onDeleted={onDeleted}
        onClose={onClose}
      />
    </TestApiProvider>,
    { api },
  );
  const dialog = await screen.findByRole('dialog');
  return { api, onDeleted, onClose, dialog, alertApi };
}

async function backendError(status: number, name: string, message: string) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name, message },
        response: { statusCode: status },
      }),
      { status, headers: { 'content-type': 'application/json' } },
    ),
  );
}

describe('DeleteObservationsDialog', () => {
  it('is named by what it deletes and described by what follows, naming the tracker issue', async () => {
    const { dialog } = await renderDialog([minimistObservation]);

    expect(dialog).toHaveAccessibleName(
      `Delete “${minimistObservation.title}”?`,
    );
    expect(dialog).toHaveAccessibleDescription(
      'The observation is removed from the Security tab. ' +
        'Its GitHub issue acme/payments-api#231 is closed as not planned. ' +
        'The audit log keeps its history. ' +
        'If a later scan still reports this finding, it comes back as a new observation. ' +
        'To silence a finding, assess it as “False positive” or “Risk accepted” instead. ' +
        'Delete only findings that should never have been imported, such as a report posted for the wrong entity.',
    );
  });

  it('says nothing about a tracker issue when the observation has none', async () => {
    const { dialog } = await renderDialog([glibcObservation]);

    expect(dialog).toHaveTextContent(
      'The observation is removed from the Security tab. The audit log keeps its history.',
    );
    expect(dialog).not.toHaveTextContent(/closed as not planned/);
  });

  it('deletes the observation on "Delete observation" and says so', async () => {
    const { api, dialog, onDeleted, alertApi } = await renderDialog([
      minimistObservation,
    ]);

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Delete observation' }),
    );

    await waitFor(() =>
      expect(onDeleted).toHaveBeenCalledWith([minimistObservation]),
    );
    expect(api.deleteObservation).toHaveBeenCalledWith(minimistObservation.id);
    expect(api.deleteObservations).not.toHaveBeenCalled();
    expect(alertApi.post).toHaveBeenCalledWith({
      message: `Deleted “${minimistObservation.title}”.`,
      severity: 'success',
      display: 'transient',
    });
  });

  it("shows the backend's message when it refuses, and stays open", async () => {
    const error = await backendError(403, 'NotAllowedError', 'Unauthorized');
    const { dialog, onDeleted, onClose } = await renderDialog(
      [minimistObservation],
      mockSecurityObservationsApi({
        deleteObservation: async () => {
          throw error;
        },
      }),
    );

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Delete observation' }),
    );

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'The observation was not deleted: Unauthorized',
    );
    expect(onDeleted).not.toHaveBeenCalled();
    expect(onClose).not.toHaveBeenCalled();
    expect(
      within(dialog).getByRole('button', { name: 'Delete observation' }),
    ).toBeEnabled();
  });

  it('deletes many observations of the entity with one request, naming their issues', async () => {
    const selected = [
      minimistObservation,
      glibcObservation,
      notPlannedObservation,
      wontDoObservation,
      awsKeyObservation,
    ];
    const { api, dialog, onDeleted, alertApi } = await renderDialog(selected);

    expect(dialog).toHaveAccessibleName('Delete 5 observations?');
    expect(dialog).toHaveTextContent(
      'The 5 observations are removed from the Security tab. ' +
        'Their tracker issues (acme/payments-api#231, acme/payments-api#245, PAY-87) are closed as not planned. ' +
        'The audit log keeps their history.',
    );
    expect(dialog).toHaveTextContent(
      'To silence findings, assess them as “False positive” or “Risk accepted” instead.',
    );

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Delete 5 observations' }),
    );

    await waitFor(() => expect(onDeleted).toHaveBeenCalledWith(selected));
    expect(api.deleteObservations).toHaveBeenCalledWith({
      entityRef,
      observationIds: selected.map(observation => observation.id),
    });
    expect(api.deleteObservation).not.toHaveBeenCalled();
    expect(alertApi.post).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'Deleted 5 observations.' }),
    );
  });

  it('counts the issues it does not name', async () => {
    const withIssue = (n: number): Observation => ({
      ...minimistObservation,
      id: `${minimistObservation.id.slice(0, -1)}${n}`,
      tracker: {
        ...minimistObservation.tracker!,
        issueKey: `acme/payments-api#${300 + n}`,
      },
    });
    const { dialog } = await renderDialog([1, 2, 3, 4, 5].map(withIssue));

    expect(dialog).toHaveTextContent(
      'Their tracker issues (acme/payments-api#301, acme/payments-api#302, acme/payments-api#303 and 2 more) are closed as not planned.',
    );
  });

  it('shows the message of a refused bulk deletion', async () => {
    const error = await backendError(
      404,
      'NotFoundError',
      `No observation ${glibcObservation.id}`,
    );
    const { dialog, onDeleted } = await renderDialog(
      [minimistObservation, glibcObservation],
      mockSecurityObservationsApi({
        deleteObservations: async () => {
          throw error;
        },
      }),
    );

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Delete 2 observations' }),
    );

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      `The observations were not deleted: No observation ${glibcObservation.id}`,
    );
    expect(onDeleted).not.toHaveBeenCalled();
  });

  it('closes on Cancel and on Escape without deleting', async () => {
    const { api, dialog, onClose } = await renderDialog([minimistObservation]);

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    );
    expect(onClose).toHaveBeenCalledTimes(1);
    await userEvent.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledTimes(2);
    expect(api.deleteObservation).not.toHaveBeenCalled();
  });
});
