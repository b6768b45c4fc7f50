import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  observationAssessPermission,
  observationDeletePermission,
  observationReadPermission,
} from 'backstage-plugin-security-observations-common';
import {
  APPSEC_GROUP,
  SecurityObservationsExamplePolicy,
} from './permissionPolicy';

const user = (name: string, groups: string[]) => {
  const refs = [`user:default/${name}`, ...groups];
  return {
    identity: {
      type: 'user' as const,
      userEntityRef: refs[0],
      ownershipEntityRefs: refs,
    },
    info: { userEntityRef: refs[0], ownershipEntityRefs: refs },
    token: 'token',
    credentials: {} as any,
  };
};
const alice = user('alice', ['group:default/team-payments']);

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

  it('lets only members of the appsec group delete observations', async () => {
    expect(
      await policy.handle({ permission: observationDeletePermission }, alice),
    ).toEqual({ result: AuthorizeResult.DENY });
    expect(
      await policy.handle(
        { permission: observationDeletePermission },
        user('erin', [APPSEC_GROUP]),
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });
});
