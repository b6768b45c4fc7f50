import { ConfigReader } from '@backstage/config';
import {
  DEFAULT_STATUS_MAPPINGS,
  mappedStatus,
  readTwoWaySettings,
} from './TwoWaySettings';

const live = (
  state: 'open' | 'closed',
  name: string,
  extra: { reason?: string; labels?: string[] } = {},
) => ({ state, name, labels: extra.labels ?? [], reason: extra.reason });

describe('readTwoWaySettings', () => {
  it('is off unless twoWay is true', () => {
    expect(
      readTwoWaySettings(
        new ConfigReader({ webhookSecret: 's' }),
        'github',
        'at',
      ),
    ).toBeNull();
  });

  it("uses the tracker kind's default mapping and keeps the secret out of JSON", () => {
    const settings = readTwoWaySettings(
      new ConfigReader({ twoWay: true, webhookSecret: 'hush-4f1a' }),
      'jira',
      'securityObservations.trackers[2]',
    )!;
    expect(settings.statusMapping).toBe(DEFAULT_STATUS_MAPPINGS.jira);
    expect(settings.pushComments).toBe(false);
    expect(settings.webhookSecret()).toBe('hush-4f1a');
    expect(JSON.stringify(settings)).not.toContain('hush-4f1a');
  });

  it('refuses a rule without conditions or with a status a tracker cannot set, naming the key', () => {
    const read = (rule: object) => () =>
      readTwoWaySettings(
        new ConfigReader({ twoWay: true, statusMapping: [rule] }),
        'gitlab',
        'securityObservations.trackers[1]',
      );
    expect(read({ to: 'risk_accepted' })).toThrow(
      'securityObservations.trackers[1].statusMapping[0]: a rule needs at least one of status, state, reason or label',
    );
    expect(read({ label: 'wontfix', to: 'not_affected' })).toThrow(
      "securityObservations.trackers[1].statusMapping[0].to: 'not_affected' is not a status a tracker can set",
    );
    expect(read({ label: 'wontfix', to: 'resolved' })).toThrow(/resolved/);
    expect(read({ state: 'shut', to: 'open' })).toThrow(
      "statusMapping[0].state: 'shut' is neither open nor closed",
    );
  });
});

describe('mappedStatus', () => {
  it('maps the trackers\' "won\'t fix", "false positive" and reopen by default', () => {
    const { github, gitlab, jira } = DEFAULT_STATUS_MAPPINGS;
    expect(
      mappedStatus(
        github,
        live('closed', 'Closed as not planned', { reason: 'not_planned' }),
      ),
    ).toBe('risk_accepted');
    expect(
      mappedStatus(
        github,
        live('closed', 'Closed as completed', { reason: 'completed' }),
      ),
    ).toBeUndefined();
    expect(
      mappedStatus(
        github,
        live('closed', 'Closed as not planned', {
          reason: 'not_planned',
          labels: ['False Positive'],
        }),
      ),
    ).toBe('false_positive');
    expect(
      mappedStatus(gitlab, live('closed', 'Closed', { labels: ['wontfix'] })),
    ).toBe('risk_accepted');
    expect(mappedStatus(gitlab, live('closed', 'Closed'))).toBeUndefined();
    expect(mappedStatus(jira, live('closed', "Won't Do"))).toBe(
      'risk_accepted',
    );
    // Jira Cloud's status names may use a typographic apostrophe.
    expect(mappedStatus(jira, live('closed', 'Won\u2019t do'))).toBe(
      'risk_accepted',
    );
    expect(mappedStatus(jira, live('closed', 'False positive'))).toBe(
      'false_positive',
    );
    expect(mappedStatus(jira, live('closed', 'Done'))).toBeUndefined();
    expect(mappedStatus(jira, live('open', 'In Progress'))).toBe('open');
  });

  it('takes the first configured rule that matches every condition it names', () => {
    const settings = readTwoWaySettings(
      new ConfigReader({
        twoWay: true,
        statusMapping: [
          { status: 'Accepted Risk', state: 'closed', to: 'risk_accepted' },
          { label: 'dup', to: 'duplicate' },
        ],
      }),
      'jira',
      'at',
    )!;
    expect(
      mappedStatus(settings.statusMapping, live('closed', 'accepted risk')),
    ).toBe('risk_accepted');
    expect(
      mappedStatus(settings.statusMapping, live('open', 'Accepted Risk')),
    ).toBeUndefined();
    expect(
      mappedStatus(
        settings.statusMapping,
        live('open', 'To Do', { labels: ['dup'] }),
      ),
    ).toBe('duplicate');
    expect(
      mappedStatus(settings.statusMapping, live('closed', "Won't Do")),
    ).toBeUndefined();
  });
});
