import { trackerNameOfIssue, trackerUser } from './trackerNames';

describe('trackerUser', () => {
  it.each([
    ['github:octocat', { name: 'octocat', tracker: 'GitHub' }],
    ['gitlab:jane.doe', { name: 'jane.doe', tracker: 'GitLab' }],
    ['jira:Jane Doe', { name: 'Jane Doe', tracker: 'Jira' }],
    // A configured tracker's id rather than a kind stays as it is.
    ['jira-dc:j.doe', { name: 'j.doe', tracker: 'jira-dc' }],
    // Only the first colon separates: Jira display names may hold one.
    ['jira:Doe: Jane', { name: 'Doe: Jane', tracker: 'Jira' }],
  ])('reads %s', (actor, user) => {
    expect(trackerUser(actor)).toEqual(user);
  });

  it.each(['octocat', ':octocat', 'github:'])(
    'finds no tracker user in %j',
    actor => {
      expect(trackerUser(actor)).toBeUndefined();
    },
  );
});

describe('trackerNameOfIssue', () => {
  const routing = {
    trackerId: 'jira-cloud',
    kind: 'jira' as const,
    target: 'PAY',
    url: null,
    problem: null,
  };

  it("names the entity's tracker by its kind", () => {
    expect(trackerNameOfIssue('jira-cloud', routing)).toBe('Jira');
  });

  it('names a tracker the entity no longer routes to by its id', () => {
    expect(trackerNameOfIssue('github', routing)).toBe('GitHub');
    expect(trackerNameOfIssue('gitlab-internal', routing)).toBe(
      'gitlab-internal',
    );
    expect(trackerNameOfIssue(null, undefined)).toBe('the tracker');
  });
});
