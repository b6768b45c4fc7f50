import { createHash } from 'node:crypto';
import { REDACTED } from './redact';

/**
 * One Gitleaks leak, as any of Gitleaks' report formats names it. Every
 * parser of a Gitleaks report (JSON of Gitleaks 8, JSON of Gitleaks 7 and
 * older, SARIF whose driver is `gitleaks`) fills it from its own fields, so
 * that the same leak has the same identity whatever the format.
 */
export interface GitleaksLeak {
  /** JSON `RuleID` (8), `rule` (7 and older); SARIF `ruleId`. */
  ruleId: string;
  /**
   * The path the finding's location shows, normalized with
   * `normalizePath`: JSON `SymlinkFile` when set, else `File` (SARIF shows
   * the symlink too); SARIF `locations[0].physicalLocation.artifactLocation.uri`.
   */
  file: string;
  /**
   * The secret exactly as the report gives it, not trimmed or redacted: JSON
   * `Secret` (8), `offender` (7); SARIF `locations[0].physicalLocation
   * .region.snippet.text` (Gitleaks writes the secret there). Under
   * `--redact` it is `REDACTED` or a prefix ending in `...`.
   */
  secret: string | undefined;
  /**
   * JSON `Commit` (8), `commit` (7); SARIF `partialFingerprints.commitSha`.
   * Empty or missing when Gitleaks scanned files, not git history.
   */
  commit: string | undefined;
  /** JSON `StartLine` (8), `lineNumber` (7); SARIF `region.startLine`. */
  startLine: number | undefined;
}

/** What Gitleaks and redacting tools write in place of a secret. */
const REDACTION_MARKERS = new Set(['REDACTED', REDACTED, '']);

/**
 * Whether the report hides the secret: `--redact` writes `REDACTED`,
 * `--redact=N` (N < 100) keeps a prefix and appends `...`.
 */
export function isRedactedSecret(secret: string | undefined): boolean {
  return isRedactionMarker(secret) || secret!.trim().endsWith('...');
}

/** Whether the secret is only a marker (`REDACTED`), or missing. */
export function isRedactionMarker(secret: string | undefined): boolean {
  return secret === undefined || REDACTION_MARKERS.has(secret.trim());
}

/**
 * Four hex digits (16 bits) of a salted SHA-256 of the secret. Enough to
 * tell apart the few secrets one rule finds in one file; too few to confirm
 * a guessed password against the stored identity hash (a dictionary of a
 * million passwords leaves some fifteen candidates per value). Two secrets
 * that collide are numbered apart by `normalizeFindings`, none is lost.
 */
export function gitleaksSecretTag(ruleId: string, secret: string): string {
  return createHash('sha256')
    .update(`gitleaks-secret\u001f${ruleId}\u001f${secret}`)
    .digest('hex')
    .slice(0, 4);
}

/**
 * The identity of a Gitleaks finding, the one rule for every Gitleaks
 * format: pass the result to `identityKey(...)` and use the key as it is
 * (no scanner slug or other part before or after it).
 *
 * - The secret is known: rule, file and a tag of the secret. A leak is one
 *   secret in one file, and what closes it is rotating that secret: the
 *   commit is left out, so the same secret committed again, moved by a
 *   rebase, or found by a history scan and a working-tree scan stays one
 *   finding with one triage; the line is left out, so edits above it keep
 *   it.
 * - The report is redacted: rule, file, commit and start line, Gitleaks'
 *   own fingerprint (what `.gitleaksignore` lists). Stable for history
 *   scans; a working-tree scan's finding moves with its line.
 *
 * SARIF (`sarif.ts`, driver `gitleaks`) calls it as
 * `identityKey(...gitleaksIdentityParts({ ruleId, file: uri, secret:
 * region.snippet.text, commit: partialFingerprints.commitSha, startLine:
 * region.startLine }))`, with its first location.
 *
 * A report can name one leak several times (a history scan lists each
 * commit that added the line): `gitleaks.ts` makes one finding of them with
 * every place listed; a parser that does not gets `#2` ordinals from
 * `normalizeFindings`.
 */
export function gitleaksIdentityParts(leak: GitleaksLeak): string[] {
  if (!isRedactedSecret(leak.secret)) {
    return [
      leak.ruleId,
      leak.file,
      'secret',
      gitleaksSecretTag(leak.ruleId, leak.secret!),
    ];
  }
  const line =
    leak.startLine !== undefined && leak.startLine > 0
      ? String(leak.startLine)
      : '';
  return [leak.ruleId, leak.file, 'line', leak.commit?.trim() ?? '', line];
}
