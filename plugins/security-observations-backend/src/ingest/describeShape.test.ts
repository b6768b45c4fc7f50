import { describeShape } from './describeShape';

describe('describeShape', () => {
  it('names the top-level keys of an object or of an array’s first item', () => {
    expect(describeShape({ Target: 'x', Vulnerabilities: null })).toBe(
      'a JSON object with the keys `Target`, `Vulnerabilities`',
    );
    expect(describeShape([{ Target: 'alpine', Type: 'alpine' }])).toBe(
      'a JSON array whose items have the keys `Target`, `Type`',
    );
    expect(
      describeShape(
        Object.fromEntries('abcdefghij'.split('').map(k => [k, 1])),
      ),
    ).toBe(
      'a JSON object with the keys `a`, `b`, `c`, `d`, `e`, `f`, `g`, `h` and 2 more',
    );
  });

  it('says what else it is', () => {
    expect(describeShape([])).toBe('an empty JSON array');
    expect(describeShape({})).toBe('an empty JSON object');
    expect(describeShape(['a'])).toBe('a JSON array of strings');
    expect(describeShape(42)).toBe('a JSON number');
    expect(describeShape(null)).toBe('a JSON null');
  });
});
