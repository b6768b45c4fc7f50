import { LiveStatus, liveStatusDetails, liveStatusLabel } from './liveStatus';

const now = Date.parse('2026-11-20T10:00:00.000Z');
const closed: LiveStatus = {
  state: 'closed',
  status: "Won't Do",
  changedBy: 'Jane Doe',
  changedAt: '2026-11-20T09:55:00.000Z',
  seenAt: '2026-11-20T09:59:00.000Z',
};

describe('liveStatusLabel', () => {
  it("uses the tracker's words for the status", () => {
    expect(liveStatusLabel(closed)).toBe("Won't Do");
  });

  it('says a deleted issue is deleted, whatever the tracker last said', () => {
    expect(liveStatusLabel({ ...closed, state: 'gone', status: 'Done' })).toBe(
      'Deleted on tracker',
    );
  });

  it('falls back to open or closed when the tracker gave no words', () => {
    expect(liveStatusLabel({ ...closed, status: '' })).toBe('Closed');
    expect(liveStatusLabel({ ...closed, state: 'open', status: '' })).toBe(
      'Open',
    );
  });
});

describe('liveStatusDetails', () => {
  it('says who changed the status, when, and when the tracker was read', () => {
    expect(liveStatusDetails(closed, now)).toBe(
      'Changed by Jane Doe 5 minutes ago · seen 1 minute ago',
    );
  });

  it('leaves out what the tracker did not say', () => {
    expect(liveStatusDetails({ ...closed, changedBy: null }, now)).toBe(
      'Changed 5 minutes ago · seen 1 minute ago',
    );
    expect(liveStatusDetails({ ...closed, changedAt: null }, now)).toBe(
      'Changed by Jane Doe · seen 1 minute ago',
    );
    expect(
      liveStatusDetails({ ...closed, changedBy: null, changedAt: null }, now),
    ).toBe('Seen 1 minute ago');
  });
});
