import {
  AuthorizeResult,
  EvaluatePermissionRequest,
} from '@backstage/plugin-permission-common';
import { screen, waitFor, within } from '@testing-library/react';
import { observationDeletePermission } from 'backstage-plugin-security-observations-common';
import { mockSecurityObservationsApi } from '../../__testUtils__/mockSecurityObservationsApi';
import {
  minimistObservation,
  observations,
} from '../../__testUtils__/observations';
import { renderSecurityTab } from '../../__testUtils__/renderSecurityTab';

// A file of its own: usePermission caches decisions per module instance,
// and here every user may assess but not delete.
describe('EntitySecurityContent without the delete permission', () => {
  it('leaves the delete controls out of the table and the drawer, while assessing stays possible', async () => {
    const asked: string[] = [];
    const permission = (request: EvaluatePermissionRequest) => {
      asked.push(request.permission.name);
      return request.permission.name === observationDeletePermission.name
        ? AuthorizeResult.DENY
        : AuthorizeResult.ALLOW;
    };
    await renderSecurityTab({
      api: mockSecurityObservationsApi(),
      permission,
      route: `/?observation=${minimistObservation.id}`,
    });

    const drawer = within(
      await screen.findByRole('dialog', { name: minimistObservation.title }),
    );
    // Both decisions are in once assessing is enabled.
    await waitFor(() =>
      expect(drawer.getByRole('button', { name: 'Assess' })).toBeEnabled(),
    );
    expect(asked).toContain(observationDeletePermission.name);
    expect(drawer.queryByRole('button', { name: /Delete/ })).toBeNull();

    await screen.findByText(`${observations.length} matching`);
    expect(
      screen.getByRole('button', { name: /Assess selected/, hidden: true }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /Delete selected/, hidden: true }),
    ).toBeNull();
  });
});
