import fc from 'fast-check';
import { fuzzParameters, fuzzTimeout } from '../__testUtils__/fuzz';
import { jsonParserFuzzProperties } from '../__testUtils__/parserFuzz';
import { sarifParser } from './sarif';

/** Cases per property in the unit run; scripts/fuzz runs many more. */
const RUNS = 150;

describe('fuzzing the SARIF parser', () => {
  it.each(jsonParserFuzzProperties(sarifParser, 'sarif'))(
    '%s',
    (_name, property) => {
      expect(() => fc.assert(property, fuzzParameters(RUNS))).not.toThrow();
    },
    fuzzTimeout(RUNS),
  );
});
