import fc from 'fast-check';
import { fuzzParameters, fuzzTimeout } from '../__testUtils__/fuzz';
import { jsonParserFuzzProperties } from '../__testUtils__/parserFuzz';
import { cyclonedxParser } from './cyclonedx';

/** Cases per property in the unit run; scripts/fuzz runs many more. */
const RUNS = 150;

describe('fuzzing the CycloneDX parser', () => {
  it.each(jsonParserFuzzProperties(cyclonedxParser, 'cyclonedx'))(
    '%s',
    (_name, property) => {
      expect(() => fc.assert(property, fuzzParameters(RUNS))).not.toThrow();
    },
    fuzzTimeout(RUNS),
  );
});
