import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  observationAssessPermission,
  observationReadPermission,
} from 'backstage-plugin-security-observations-common';
import { SecurityObservationsExamplePolicy } from './permissionPolicy';

const alice = {
  identity: {
    type: 'user' as const,
    userEntityRef: 'user:default/alice',
    ownershipEntityRefs: ['user:default/alice', 'group:default/team-payments'],
  },
  info: {
    userEntityRef: 'user:default/alice',
    ownershipEntityRefs: ['user:default/alice', 'group:default/team-payments'],
  },
  token: 'token',
  credentials: {} as any,
};

describe('SecurityObservationsExamplePolicy', () => {
  const policy = new SecurityObservationsExamplePolicy();

  it('lets everyone signed in read observations', async () => {
    expect(
      await policy.handle({ permission: observationReadPermission }, alice),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it("lets an entity's owners assess, by the catalog's isEntityOwner condition on the user's claims", async () => {
    expect(
      await policy.handle({ permission: observationAssessPermission }, alice),
    ).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: {
          claims: ['user:default/alice', 'group:default/team-payments'],
        },
      },
    });
  });
});
