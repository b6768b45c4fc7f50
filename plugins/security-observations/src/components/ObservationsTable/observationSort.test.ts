import { apiSort, tableSort } from './observationSort';

describe('observation sort', () => {
  it('maps a column direction to the API sort, severity highest first', () => {
    expect(apiSort('firstSeenAt', 'asc')).toBe('firstSeenAt');
    expect(apiSort('firstSeenAt', 'desc')).toBe('-firstSeenAt');
    // The API's ascending severity is by rank: critical first.
    expect(apiSort('severity', 'desc')).toBe('severity');
    expect(apiSort('severity', 'asc')).toBe('-severity');
  });

  it('maps an API sort back to the column arrow', () => {
    expect(tableSort('severity')).toEqual({
      field: 'severity',
      direction: 'desc',
    });
    expect(tableSort('-title')).toEqual({ field: 'title', direction: 'desc' });
    expect(tableSort('lastSeenAt')).toEqual({
      field: 'lastSeenAt',
      direction: 'asc',
    });
  });
});
