import fc from 'fast-check';
import { storableFinding, storableText, truncateText } from './storableText';

const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE = {
  test: (text: string) => text.includes('\u0000') || LONE_SURROGATE.test(text),
};

describe('storableText', () => {
  it.each([
    [
      'keeps text that fits',
      'Cross-site scripting',
      100,
      'Cross-site scripting',
    ],
    ['cuts with an ellipsis', 'abcdefghij', 5, 'abcd…'],
    ['trims before the ellipsis', 'abc   defgh', 6, 'abc…'],
    ['never splits an emoji', 'abc😀def', 5, 'abc…'],
    ['replaces NUL', 'a\u0000b', 10, 'a\ufffdb'],
    ['replaces a lone high surrogate', 'a\ud800b', 10, 'a\ufffdb'],
    ['replaces a lone low surrogate', '\udc00b', 10, '\ufffdb'],
    ['keeps pairs', '𝕏 🇩🇪', 10, '𝕏 🇩🇪'],
  ])('%s', (_name, text, max, expected) => {
    expect(storableText(text, max)).toBe(expected);
  });

  it('gives any text the storable form a simple model of it gives', () => {
    // The model: each unstorable code unit becomes U+FFFD; text over the
    // limit keeps whole characters up to one short of it, and an ellipsis.
    const model = (text: string, max: number) => {
      const characters = Array.from(text, character =>
        UNSTORABLE.test(character) ? '\ufffd' : character,
      );
      const clean = characters.join('');
      if (clean.length <= max) return clean;
      let kept = '';
      for (const character of characters) {
        if (kept.length + character.length > max - 1) break;
        kept += character;
      }
      return `${kept.trimEnd()}…`;
    };
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.integer({ min: 2, max: 80 }),
        (text, max) => {
          const stored = storableText(text, max);
          expect(stored).toBe(model(text, max));
          expect(stored.length).toBeLessThanOrEqual(max);
          expect(UNSTORABLE.test(stored)).toBe(false);
        },
      ),
      { seed: 7, numRuns: 500 },
    );
    expect(truncateText('x'.repeat(10), 10)).toBe('x'.repeat(10));
  });

  it('returns a finding that is already storable as it is', () => {
    const finding = {
      identityKey: 'k',
      title: 'XSS',
      description: 'Details',
      severity: 'high' as const,
      status: 'open' as const,
      vulnerabilityIds: ['CVE-2024-0001'],
      cwes: ['CWE-79'],
      location: { file: 'src/a.js', startLine: 3 },
    };
    expect(storableFinding(finding)).toBe(finding);
    const hostile = {
      ...finding,
      identityKey: 'k\u0000',
      ruleId: 'r'.repeat(600),
      location: { file: 'a\u0000b', startLine: 3 },
    };
    expect(storableFinding(hostile)).toEqual({
      ...finding,
      // Hashed, not stored: left as the parser made it.
      identityKey: 'k\u0000',
      ruleId: `${'r'.repeat(511)}…`,
      location: { file: 'a\ufffdb', startLine: 3 },
    });
  });
});
