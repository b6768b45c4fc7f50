import fc from 'fast-check';
import { fuzzParameters, fuzzTimeout } from '../__testUtils__/fuzz';
import { jsonParserFuzzProperties } from '../__testUtils__/parserFuzz';
import { gitleaksParser } from './gitleaks';

/** Cases per property in the unit run; scripts/fuzz runs many more. */
const RUNS = 150;

describe('fuzzing the Gitleaks JSON parser', () => {
  it.each(jsonParserFuzzProperties(gitleaksParser, 'gitleaks'))(
    '%s',
    (_name, property) => {
      expect(() => fc.assert(property, fuzzParameters(RUNS))).not.toThrow();
    },
    fuzzTimeout(RUNS),
  );
});
