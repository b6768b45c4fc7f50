import fc from 'fast-check';
import { fuzzParameters, fuzzTimeout } from '../__testUtils__/fuzz';
import { jsonParserFuzzProperties } from '../__testUtils__/parserFuzz';
import { trivyParser } from './trivy';

/** Cases per property in the unit run; scripts/fuzz runs many more. */
const RUNS = 150;

describe('fuzzing the Trivy JSON parser', () => {
  it.each(jsonParserFuzzProperties(trivyParser, 'trivy'))(
    '%s',
    (_name, property) => {
      expect(() => fc.assert(property, fuzzParameters(RUNS))).not.toThrow();
    },
    fuzzTimeout(RUNS),
  );
});
