import fc from 'fast-check';
import { fuzzParameters, fuzzTimeout } from '../__testUtils__/fuzz';
import { xmlParserFuzzProperties } from '../__testUtils__/parserFuzz';
import { cyclonedxXmlParser } from './cyclonedxXml';

/** Cases per property in the unit run; scripts/fuzz runs many more. */
const RUNS = 150;

describe('fuzzing the CycloneDX XML parser', () => {
  it.each(xmlParserFuzzProperties(cyclonedxXmlParser, 'cyclonedx-xml'))(
    '%s',
    (_name, property) => {
      expect(() => fc.assert(property, fuzzParameters(RUNS))).not.toThrow();
    },
    fuzzTimeout(RUNS),
  );
});
