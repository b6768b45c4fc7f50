import { usageError } from './errors';
import { ImportAnswer } from './importAnswer';
import {
  describeCounts,
  FailOn,
  severitiesAtOrAbove,
  Severity,
} from './severities';

export interface GateResult {
  passed: boolean;
  /** One line: "Gate passed: ..." or "Gate failed: ..., what to do". */
  message: string;
}

/**
 * `--fail-on`: fails when the import left open observations that nobody has
 * assessed at the level or above; with `--new-only`, only those this
 * import created or reopened. Decided on the import's own answer, so a
 * concurrent upload of another scope cannot change the verdict.
 */
export function evaluateGate(
  answer: ImportAnswer,
  options: { failOn: FailOn; newOnly: boolean; securityTab: string },
): GateResult {
  if (!answer.unassessed) {
    throw usageError(
      'The report was imported, but this backend is too old for --fail-on: its answer does not count the open, unassessed observations. Upgrade backstage-plugin-security-observations-backend, or drop --fail-on.',
    );
  }
  const counts = options.newOnly
    ? answer.unassessed.new
    : answer.unassessed.all;
  const severities = severitiesAtOrAbove(options.failOn);
  const total = severities.reduce((sum, s) => sum + counts[s], 0);
  const what = `${options.newOnly ? 'new ' : ''}open ${levelPhrase(
    severities,
  )}`;

  if (total === 0) {
    return {
      passed: true,
      message: `Gate passed: no ${what}observations without an assessment${
        options.newOnly ? ' came with this upload' : ''
      }.`,
    };
  }
  const noun = total === 1 ? 'observation' : 'observations';
  return {
    passed: false,
    message: `Gate failed: ${total} ${what}${noun} (not assessed${
      options.newOnly ? ', introduced by this upload' : ''
    }): ${describeCounts(
      counts,
      severities,
    )}. Fix them, or assess them (accept the risk, mark false positives) on the Security tab: ${
      options.securityTab
    }`,
  };
}

/** "high or critical ", "medium, high or critical ", "" for any. */
function levelPhrase(severities: Severity[]): string {
  if (severities.length > 4) return '';
  const names = [...severities].reverse();
  if (names.length === 1) return `${names[0]} `;
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]} `;
}
