import { actorDescription } from './eventDescriptions';

describe('actorDescription', () => {
  it.each([
    ['user:default/jane.doe', 'user', 'user:default/jane.doe'],
    ['github:octocat', 'tracker', 'octocat on GitHub'],
    ['jira:Jane Doe', 'tracker', 'Jane Doe on Jira'],
    // A tracker actor the backend could not name keeps its kind.
    ['webhook', 'tracker', 'webhook (tracker)'],
    ['ci-scanner', 'scanner', 'ci-scanner (scanner)'],
    ['tracker-sync', 'system', 'tracker-sync (system)'],
  ] as const)('describes %s (%s)', (actor, actorKind, text) => {
    expect(actorDescription({ actor, actorKind })).toBe(text);
  });
});
