import { ResponseError } from '@backstage/errors';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockSecurityObservationsApi } from '../../__testUtils__/mockSecurityObservationsApi';
import {
  awsKeyObservation,
  glibcObservation,
  minimistObservation,
} from '../../__testUtils__/observations';
import { renderOnEntityPage } from '../../__testUtils__/renderSecurityTab';
import { SecurityObservationsApi } from '../../api';
import { AssessmentDialog } from './AssessmentDialog';
import { localDate } from './assessmentForm';

const entityRef = 'component:default/payments-api';

async function renderDialog(
  observations = [glibcObservation],
  api: jest.Mocked<SecurityObservationsApi> = mockSecurityObservationsApi(),
) {
  const onAssessed = jest.fn();
  const onClose = jest.fn();
  await renderOnEntityPage(
    <AssessmentDialog
      entityRef={entityRef}
      observations={observations}
      permission={{ allowed: true }}
      onAssessed={onAssessed}
      onClose={onClose}
    />,
    { api },
  );
  const dialog = await screen.findByRole('dialog');
  return { api, onAssessed, onClose, dialog: within(dialog) };
}

async function chooseOption(
  dialog: ReturnType<typeof within>,
  field: RegExp,
  option: string,
) {
  await userEvent.click(dialog.getByRole('button', { name: field }));
  await userEvent.click(await screen.findByRole('option', { name: option }));
}

describe('AssessmentDialog', () => {
  it('requires a comment before anything is sent', async () => {
    const { api, dialog } = await renderDialog();

    await chooseOption(dialog, /^Status/, 'False positive');
    await userEvent.click(dialog.getByRole('button', { name: 'Assess' }));

    expect(
      dialog.getByText('A comment is required: say why.'),
    ).toBeInTheDocument();
    expect(dialog.getByLabelText(/^Comment/)).toHaveAttribute(
      'aria-invalid',
      'true',
    );
    expect(api.assess).not.toHaveBeenCalled();
  });

  it('asks for a justification only for "Not affected", and requires it there', async () => {
    const { api, dialog } = await renderDialog();

    expect(
      dialog.queryByRole('button', { name: /^Justification/ }),
    ).not.toBeInTheDocument();
    await chooseOption(dialog, /^Status/, 'Not affected');
    expect(
      dialog.getByRole('button', { name: /^Justification/ }),
    ).toBeInTheDocument();

    await userEvent.type(
      dialog.getByLabelText(/^Comment/),
      'glibc iconv is never called with ISO-2022-CN-EXT',
    );
    await userEvent.click(dialog.getByRole('button', { name: 'Assess' }));
    expect(
      dialog.getByText('A justification is required for "Not affected".'),
    ).toBeInTheDocument();
    expect(api.assess).not.toHaveBeenCalled();

    await chooseOption(dialog, /^Status/, 'False positive');
    expect(
      dialog.queryByRole('button', { name: /^Justification/ }),
    ).not.toBeInTheDocument();
  });

  it('explains each status in one line, in the menu and under the chosen status', async () => {
    const { dialog } = await renderDialog();

    await userEvent.click(dialog.getByRole('button', { name: /^Status/ }));
    const options = within(await screen.findByRole('listbox'));
    const names = [
      'Open',
      'In review',
      'Duplicate',
      'False positive',
      'Not affected',
      'Not security',
      'Risk accepted',
    ];
    const all = options.getAllByRole('option');
    expect(all).toHaveLength(names.length);
    all.forEach((option, index) =>
      expect(option).toHaveAccessibleName(names[index]),
    );
    expect(
      options.getByRole('option', { name: 'False positive' }),
    ).toHaveAccessibleDescription(
      'The scanner is wrong: the problem is not there.',
    );
    expect(
      options.getByRole('option', { name: 'Not affected' }),
    ).toHaveAccessibleDescription(
      'The vulnerability cannot be exploited in this component; a VEX justification says why.',
    );
    expect(
      options.getByRole('option', { name: 'Risk accepted' }),
    ).toHaveAccessibleDescription(
      'A real risk that the team accepts, until an expiry date if one is set; then it reopens.',
    );
    for (const option of options.getAllByRole('option')) {
      expect(option).toHaveAccessibleDescription(/\w{3,}.*\.$/);
    }

    // The field then shows the status by name, its line below.
    await userEvent.click(
      options.getByRole('option', { name: 'Not security' }),
    );
    expect(dialog.getByRole('button', { name: /^Status/ })).toHaveTextContent(
      /^Not security$/,
    );
    expect(
      dialog.getByText(
        'A real finding, but not a security problem (code quality, style).',
      ),
    ).toBeInTheDocument();
  });

  it('accepts a risk without an expiry, as the API allows', async () => {
    const { api, dialog, onAssessed } = await renderDialog();

    expect(dialog.queryByLabelText(/^Accepted until/)).not.toBeInTheDocument();
    await chooseOption(dialog, /^Status/, 'Risk accepted');
    expect(dialog.getByLabelText(/^Accepted until/)).not.toBeRequired();
    expect(
      dialog.getByText(/^Optional: the observation reopens after this day\./),
    ).toBeInTheDocument();
    await userEvent.type(
      dialog.getByLabelText(/^Comment/),
      'glibc iconv is only reachable from the admin network',
    );
    await userEvent.click(dialog.getByRole('button', { name: 'Assess' }));

    await waitFor(() =>
      expect(api.assess).toHaveBeenCalledWith(glibcObservation.id, {
        status: 'risk_accepted',
        comment: 'glibc iconv is only reachable from the admin network',
      }),
    );
    await waitFor(() =>
      expect(onAssessed).toHaveBeenCalledWith(
        expect.objectContaining({ state: 'applied' }),
      ),
    );
  });

  it('accepts a risk until an expiry date, which must be in the future', async () => {
    const { api, dialog, onAssessed } = await renderDialog();

    await chooseOption(dialog, /^Status/, 'Risk accepted');
    await userEvent.type(
      dialog.getByLabelText(/^Comment/),
      'Not exploitable behind the WAF until the base image upgrade',
    );

    const expiry = dialog.getByLabelText(/^Accepted until/);
    fireEvent.change(expiry, { target: { value: '2024-01-31' } });
    await userEvent.click(dialog.getByRole('button', { name: 'Assess' }));
    expect(
      dialog.getByText('The expiry must be in the future.'),
    ).toBeInTheDocument();
    expect(api.assess).not.toHaveBeenCalled();

    const future = localDate(new Date(Date.now() + 30 * 24 * 3600 * 1000));
    fireEvent.change(expiry, { target: { value: future } });
    await userEvent.click(dialog.getByRole('button', { name: 'Assess' }));

    await waitFor(() =>
      expect(api.assess).toHaveBeenCalledWith(glibcObservation.id, {
        status: 'risk_accepted',
        comment: 'Not exploitable behind the WAF until the base image upgrade',
        expiresAt: `${future}T23:59:59.999Z`,
      }),
    );
    await waitFor(() =>
      expect(onAssessed).toHaveBeenCalledWith(
        expect.objectContaining({ state: 'applied' }),
      ),
    );
  });

  it('sends a severity override, and can clear one', async () => {
    const { api, dialog } = await renderDialog([minimistObservation]);

    await chooseOption(dialog, /^Status/, 'In review');
    await chooseOption(dialog, /^Severity override/, 'Medium');
    await userEvent.type(dialog.getByLabelText(/^Comment/), 'Dev-only');
    await userEvent.click(dialog.getByRole('button', { name: 'Assess' }));
    await waitFor(() =>
      expect(api.assess).toHaveBeenLastCalledWith(minimistObservation.id, {
        status: 'in_review',
        severity: 'medium',
        comment: 'Dev-only',
      }),
    );
  });

  it('starts from the current status of a single observation', async () => {
    const { dialog } = await renderDialog([
      { ...minimistObservation, status: 'in_review' },
    ]);
    expect(dialog.getByRole('button', { name: /^Status/ })).toHaveTextContent(
      'In review',
    );
  });

  it('assesses many observations with one bulk request', async () => {
    const { api, dialog } = await renderDialog([
      glibcObservation,
      awsKeyObservation,
    ]);

    expect(
      screen.getByRole('dialog', { name: 'Assess 2 observations' }),
    ).toBeInTheDocument();
    await chooseOption(dialog, /^Status/, 'Duplicate');
    await userEvent.type(dialog.getByLabelText(/^Comment/), 'Same as #231');
    await userEvent.click(dialog.getByRole('button', { name: 'Assess' }));

    await waitFor(() =>
      expect(api.assessMany).toHaveBeenCalledWith({
        entityRef,
        observationIds: [glibcObservation.id, awsKeyObservation.id],
        status: 'duplicate',
        comment: 'Same as #231',
      }),
    );
    expect(api.assess).not.toHaveBeenCalled();
  });

  it("shows the backend's message when it refuses the assessment", async () => {
    const error = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'InputError',
            message:
              'Validation error: a justification applies to not_affected only at "justification"',
          },
          response: { statusCode: 400 },
        }),
        { status: 400, headers: { 'content-type': 'application/json' } },
      ),
    );
    const { dialog, onAssessed } = await renderDialog(
      [glibcObservation],
      mockSecurityObservationsApi({
        assess: async () => {
          throw error;
        },
      }),
    );

    await chooseOption(dialog, /^Status/, 'False positive');
    await userEvent.type(dialog.getByLabelText(/^Comment/), 'Not in our image');
    await userEvent.click(dialog.getByRole('button', { name: 'Assess' }));

    expect(await dialog.findByRole('alert')).toHaveTextContent(
      'The assessment was not saved: Validation error: a justification applies to not_affected only at "justification"',
    );
    expect(onAssessed).not.toHaveBeenCalled();
  });

  it('reports an assessment that waits for four-eyes review', async () => {
    const { dialog, onAssessed } = await renderDialog(
      [glibcObservation],
      mockSecurityObservationsApi({
        assess: async () => ({
          state: 'pending',
          pendingAssessmentId: '6c1f9a2e-3b4d-4e5f-8a6b-7c8d9e0f1a2b',
        }),
      }),
    );

    await chooseOption(dialog, /^Status/, 'False positive');
    await userEvent.type(dialog.getByLabelText(/^Comment/), 'Not in our image');
    await userEvent.click(dialog.getByRole('button', { name: 'Assess' }));

    await waitFor(() =>
      expect(onAssessed).toHaveBeenCalledWith({
        state: 'pending',
        pendingAssessmentId: '6c1f9a2e-3b4d-4e5f-8a6b-7c8d9e0f1a2b',
      }),
    );
  });

  it('closes on Cancel and on Escape', async () => {
    const { dialog, onClose } = await renderDialog();
    await userEvent.click(dialog.getByRole('button', { name: 'Cancel' }));
    expect(onClose).toHaveBeenCalledTimes(1);
    await userEvent.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledTimes(2);
  });
});
