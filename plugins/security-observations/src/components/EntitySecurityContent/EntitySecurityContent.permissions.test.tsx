import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockSecurityObservationsApi } from '../../__testUtils__/mockSecurityObservationsApi';
import { minimistObservation } from '../../__testUtils__/observations';
import { renderSecurityTab } from '../../__testUtils__/renderSecurityTab';
import { ASSESS_PERMISSION_REQUIRED } from '../permissions/useAssessPermission';

// A file of its own: usePermission caches decisions per module instance,
// and every test here is denied.
describe('EntitySecurityContent without the assess permission', () => {
  it('says which permission is missing', () => {
    expect(ASSESS_PERMISSION_REQUIRED).toBe(
      'You need the security-observations.observation.assess permission on this entity',
    );
  });

  it('disables bulk assessment and sync, with the reason as tooltip and description, and leaves out bulk deletion', async () => {
    const user = userEvent.setup();
    const api = mockSecurityObservationsApi();
    await renderSecurityTab({ api, permission: AuthorizeResult.DENY });

    const assess = await screen.findByRole('button', {
      name: /Assess selected/,
    });
    expect(assess).toBeDisabled();
    await waitFor(() =>
      expect(assess).toHaveAccessibleDescription(ASSESS_PERMISSION_REQUIRED),
    );
    const sync = screen.getByRole('button', { name: 'Sync now' });
    expect(sync).toBeDisabled();
    expect(sync).toHaveAccessibleDescription(ASSESS_PERMISSION_REQUIRED);

    await user.hover(assess.parentElement!);
    expect(
      await screen.findByRole('tooltip', { name: ASSESS_PERMISSION_REQUIRED }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /Delete selected/ }),
    ).toBeNull();
    expect(api.syncEntity).not.toHaveBeenCalled();
  });

  it('disables the drawer controls (assess, sync, comment) and leaves out Delete', async () => {
    const api = mockSecurityObservationsApi();
    await renderSecurityTab({
      api,
      permission: AuthorizeResult.DENY,
      route: `/?observation=${minimistObservation.id}`,
    });

    const drawer = await screen.findByRole('dialog', {
      name: minimistObservation.title,
    });
    const assess = await waitFor(() => {
      const button = drawer.querySelector('button[aria-describedby]');
      expect(button).toHaveTextContent('Assess');
      return button as HTMLElement;
    });
    expect(assess).toBeDisabled();
    expect(assess).toHaveAccessibleDescription(ASSESS_PERMISSION_REQUIRED);
    expect(screen.getByLabelText('Add a comment')).toBeDisabled();
    const comment = screen.getByRole('button', { name: 'Comment' });
    expect(comment).toBeDisabled();
    expect(comment).toHaveAccessibleDescription(ASSESS_PERMISSION_REQUIRED);
    // Deleting is left out altogether, not disabled.
    expect(within(drawer).queryByRole('button', { name: /Delete/ })).toBeNull();
  });
});
