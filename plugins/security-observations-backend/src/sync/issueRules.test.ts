import { decideIssue } from './issueRules';

const route = { defaultBranch: 'main', minimumSeverity: 'medium' as const };
const open = {
  branch: 'main',
  status: 'open' as const,
  severity: 'high' as const,
};

describe('decideIssue', () => {
  it.each([
    [
      'an active observation at the minimum',
      { ...open, severity: 'medium' },
      'open',
      'fixed',
    ],
    [
      'one a scan no longer finds',
      { ...open, status: 'resolved' },
      'closed',
      'fixed',
    ],
    [
      'a false positive',
      { ...open, status: 'false_positive' },
      'closed',
      'not_planned',
    ],
    [
      'an accepted risk',
      { ...open, status: 'risk_accepted' },
      'closed',
      'not_planned',
    ],
    [
      'one below the minimum',
      { ...open, severity: 'low' },
      'closed',
      'not_planned',
    ],
    [
      'one of unknown severity below medium',
      { ...open, severity: 'unknown' },
      'closed',
      'not_planned',
    ],
    [
      'one on another branch',
      { ...open, branch: 'feature/x' },
      'closed',
      'not_planned',
    ],
    [
      'one in review, when that is not active',
      { ...open, status: 'in_review' },
      'closed',
      'not_planned',
    ],
  ] as const)('decides for %s', (_name, observation, state, closeReason) => {
    expect(decideIssue(observation, route, ['open'])).toMatchObject({
      state,
      closeReason,
    });
  });

  it('keeps in-review issues open when in review counts as active', () => {
    expect(
      decideIssue({ ...open, status: 'in_review' }, route, [
        'open',
        'in_review',
      ]).state,
    ).toBe('open');
  });
});
