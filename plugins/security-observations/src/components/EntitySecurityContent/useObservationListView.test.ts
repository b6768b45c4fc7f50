import { readListView } from './useObservationListView';

describe('readListView', () => {
  it('defaults to active observations, most severe first', () => {
    expect(readListView(new URLSearchParams())).toEqual({
      statuses: ['open', 'in_review'],
      severities: [],
      scanner: '',
      branch: '',
      q: '',
      sort: 'severity',
      observationId: undefined,
    });
  });

  it('reads every filter, and ignores values it does not know', () => {
    expect(
      readListView(
        new URLSearchParams(
          'status=resolved,bogus&severity=critical,urgent&scanner=trivy&branch=release/2.x&q=CVE-2024&sort=-lastSeenAt&observation=abc',
        ),
      ),
    ).toEqual({
      statuses: ['resolved'],
      severities: ['critical'],
      scanner: 'trivy',
      branch: 'release/2.x',
      q: 'CVE-2024',
      sort: '-lastSeenAt',
      observationId: 'abc',
    });
  });

  it('reads status=all as no status filter, and falls back from an unknown sort', () => {
    const view = readListView(new URLSearchParams('status=all&sort=-cvss'));
    expect(view.statuses).toEqual([]);
    expect(view.sort).toBe('severity');
  });
});
