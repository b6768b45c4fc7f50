import {
  NO_OBSERVATIONS,
  trivyImportAnswer,
} from './__testUtils__/importAnswers';
import { formatSummary } from './summary';

const options = {
  reportName: 'results.sarif',
  securityTab:
    'https://backstage.example.com/catalog/default/component/payments-api/security',
};

describe('formatSummary', () => {
  it('counts the warnings, including those the answer only counts', () => {
    const summary = formatSummary(
      {
        ...trivyImportAnswer,
        warnings: [
          {
            path: 'runs[0].results[2].fingerprints',
            message: 'expected an object of strings',
          },
        ],
        warningsOmitted: 0,
      },
      options,
    );
    expect(summary).toContain(
      '  Warnings: 1 optional part of the report was skipped, the findings kept (--json lists them)\n',
    );

    const many = formatSummary(
      {
        ...trivyImportAnswer,
        warnings: Array.from({ length: 100 }, (_, i) => ({
          path: `runs[0].results[${i}].fingerprints`,
          message: 'expected an object of strings',
        })),
        warningsOmitted: 23,
      },
      options,
    );
    expect(many).toContain(
      '  Warnings: 123 optional parts of the report were skipped',
    );
  });

  it('says none when nothing is left open, and leaves out what an older backend does not answer', () => {
    const clean = formatSummary(
      {
        ...trivyImportAnswer,
        unassessed: { all: NO_OBSERVATIONS, new: NO_OBSERVATIONS },
      },
      options,
    );
    expect(clean).toContain('  Open, not assessed: none\n');
    expect(clean).not.toContain('Warnings');

    const { unassessed, ...older } = trivyImportAnswer;
    expect(formatSummary(older, options)).not.toContain('Open, not assessed');
  });
});
