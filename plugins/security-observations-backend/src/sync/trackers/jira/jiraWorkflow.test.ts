import {
  chooseTransition,
  JiraTransition,
  transitionFields,
} from './jiraWorkflow';

const status = (name: string, key: 'new' | 'indeterminate' | 'done') => ({
  name,
  statusCategory: { key },
});
const transitions: JiraTransition[] = [
  {
    id: '11',
    name: 'Start progress',
    to: status('In Progress', 'indeterminate'),
  },
  { id: '31', name: 'Resolve', to: status('Closed', 'done') },
  { id: '41', name: "Won't fix", to: status("Won't Fix", 'done') },
  { id: '61', name: 'Accept risk', to: status('Risk Accepted', 'done') },
  { id: '51', name: 'Reopen', to: status('Open', 'new') },
];
const id = (t: JiraTransition | undefined) => t?.id;

describe('chooseTransition', () => {
  it('closes a fixed finding into a Done status, and one not planned into a Won’t-Fix-like status', () => {
    expect(
      id(
        chooseTransition(
          transitions,
          { state: 'closed', closeReason: 'fixed' },
          {},
        ),
      ),
    ).toBe('31');
    expect(
      id(
        chooseTransition(
          transitions,
          { state: 'closed', closeReason: 'not_planned' },
          {},
        ),
      ),
    ).toBe('41');
  });

  it('prefers the configured statuses, in any letter case', () => {
    const settings = {
      closedStatus: 'closed',
      notPlannedStatus: 'Risk Accepted',
      reopenedStatus: 'OPEN',
    };
    expect(
      id(
        chooseTransition(
          transitions,
          { state: 'closed', closeReason: 'not_planned' },
          settings,
        ),
      ),
    ).toBe('61');
    expect(
      id(
        chooseTransition(
          transitions,
          { state: 'open', closeReason: 'fixed' },
          settings,
        ),
      ),
    ).toBe('51');
  });

  it('falls back to any Done or To Do category status, and to nothing when there is none', () => {
    const onlyCustom: JiraTransition[] = [
      { id: '7', name: 'Ship it', to: status('Shipped', 'done') },
    ];
    expect(
      id(
        chooseTransition(
          onlyCustom,
          { state: 'closed', closeReason: 'fixed' },
          {},
        ),
      ),
    ).toBe('7');
    expect(
      chooseTransition(onlyCustom, { state: 'open', closeReason: 'fixed' }, {}),
    ).toBeUndefined();
  });
});

describe('transitionFields', () => {
  const resolve: JiraTransition = {
    id: '31',
    name: 'Resolve',
    to: status('Closed', 'done'),
    fields: {
      resolution: {
        required: true,
        hasDefaultValue: false,
        allowedValues: [
          { id: '1', name: 'Fixed' },
          { id: '2', name: "Won't Fix" },
        ],
      },
      customfield_10050: {
        required: true,
        hasDefaultValue: false,
        name: 'Root cause',
      },
      customfield_10051: { required: false, name: 'Notes' },
    },
  };

  it('picks the resolution of the intent and takes other fields from the mapping', () => {
    expect(
      transitionFields(resolve, {
        operation: 'close',
        closeReason: 'not_planned',
        mapped: field =>
          field === 'customfield_10050' ? { value: 'Dependency' } : undefined,
      }),
    ).toEqual({
      fields: {
        resolution: { id: '2' },
        customfield_10050: { value: 'Dependency' },
      },
      missing: [],
    });
  });

  it('names the required fields nothing fills', () => {
    expect(
      transitionFields(resolve, {
        operation: 'close',
        closeReason: 'fixed',
        mapped: () => undefined,
      }),
    ).toEqual({
      fields: { resolution: { id: '1' } },
      missing: ['Root cause (customfield_10050)'],
    });
  });
});
