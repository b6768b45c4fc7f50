import { shortIssueKey } from './shortIssueKey';

describe('shortIssueKey', () => {
  it.each([
    ['a GitHub issue', 'acme-corp/payments-api#3', 'payments-api#3'],
    [
      'a GitLab issue',
      'acme-corp/storefront/checkout-web#12',
      'checkout-web#12',
    ],
    ['a GitLab issue deep in subgroups', 'acme/a/b/c/d/api#1204', 'api#1204'],
    ['a Jira issue', 'PAY-12', 'PAY-12'],
    ['a key already short', 'payments-api#3', 'payments-api#3'],
    ['a key whose path ends in a slash', 'acme/#3', 'acme/#3'],
    ['a path without a number', 'acme/payments-api', 'acme/payments-api'],
  ])('shortens %s', (_, key, short) => {
    expect(shortIssueKey(key)).toBe(short);
  });
});
