import { scoreFromCvssVector, severityFromScore } from './severity';

describe('scoreFromCvssVector', () => {
  it('scores complete vectors of every version', () => {
    expect(
      scoreFromCvssVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'),
    ).toBe(9.8);
    expect(
      scoreFromCvssVector('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L'),
    ).toBe(5.3);
    expect(scoreFromCvssVector('AV:N/AC:L/Au:N/C:P/I:P/A:P')).toBe(7.5);
    expect(
      scoreFromCvssVector(
        'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
      ),
    ).toBe(9.3);
    expect(
      scoreFromCvssVector('  CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H \n'),
    ).toBe(9.8);
  });

  it('gives 0 for a complete vector without impact', () => {
    expect(
      scoreFromCvssVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N'),
    ).toBe(0);
  });

  it('gives undefined, not 0, for a vector that lacks base metrics', () => {
    expect(scoreFromCvssVector('AV:N')).toBeUndefined();
    expect(scoreFromCvssVector('AV:N/AC:L/Au:N')).toBeUndefined();
    expect(scoreFromCvssVector('CVSS:3.1/AV:N')).toBeUndefined();
    expect(scoreFromCvssVector('CVSS:3.0/AV:N/AC:L')).toBeUndefined();
    expect(
      scoreFromCvssVector('CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'),
    ).toBeUndefined();
    expect(scoreFromCvssVector('CVSS:4.0/AV:N')).toBeUndefined();
  });

  it('gives undefined for text that is not a vector', () => {
    expect(scoreFromCvssVector('')).toBeUndefined();
    expect(scoreFromCvssVector('garbage')).toBeUndefined();
    expect(scoreFromCvssVector('CVSS:3.1/AV:Q')).toBeUndefined();
  });
});

describe('severityFromScore', () => {
  it.each([
    [10, 'critical'],
    [9.0, 'critical'],
    [8.9, 'high'],
    [7.0, 'high'],
    [6.9, 'medium'],
    [4.0, 'medium'],
    [3.9, 'low'],
    [0.1, 'low'],
    [0, 'none'],
  ])('maps %p to %p', (score, severity) => {
    expect(severityFromScore(score)).toBe(severity);
  });
});
