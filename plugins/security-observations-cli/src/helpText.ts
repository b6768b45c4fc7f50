import { REPORT_FORMATS } from './reportFormats';

/** `security-observations --help`: every option, the environment and the exit codes. */
export const HELP_TEXT = `Usage: security-observations upload [options] <file>

Sends a scanner report to Security Observations for Backstage and prints what
it changed. <file> is the report as the scanner wrote it (JSON, SARIF or XML);
- reads it from standard input. The report is sent gzip-compressed and
retried when the backend is busy or unreachable.

Options:
  --url <url>         The Backstage backend's base URL, e.g.
                      https://backstage.example.com
                      (env SECURITY_OBSERVATIONS_URL)
  --token <token>     A static token from backend.auth.externalAccess, allowed
                      security-observations.import.create
                      (env SECURITY_OBSERVATIONS_TOKEN; prefer the variable:
                      options show in process lists and CI logs)
  --entity <ref>      The catalog entity the report belongs to, e.g.
                      component:default/payments-api (required)
  --branch <name>     The branch scanned (default: the entity's
                      security-observations/default-branch annotation, else main)
  --scanner <name>    The scanner's name (default: the tool the report names)
  --source <name>     Tells apart several reports of one scanner on one branch,
                      e.g. one per image (default: none)
  --format <format>   ${REPORT_FORMATS.join(', ')}
                      (default: the backend detects it)
  --app-url <url>     The Backstage app's base URL, for the link to the
                      Security tab (env BACKSTAGE_APP_URL; default: --url)
  --fail-on <level>   Exit 1 when open observations that nobody has assessed
                      remain at this severity or above: critical, high,
                      medium, low, or any
  --new-only          With --fail-on: count only the observations this upload
                      introduced (new or reopened)
  --retries <n>       Retries after 429, 5xx and network errors, with
                      exponential backoff (default 5)
  --json              Print the backend's answer as JSON instead of the summary
  --help              Print this help
  --version           Print the version

Exit codes
  0  uploaded (and the --fail-on gate passed)
  1  the --fail-on gate failed: assess or fix the observations it names
  2  usage error, or the report file cannot be read: nothing was sent
     (also --fail-on with a backend too old to count for it, after the upload)
  3  the upload failed: the backend refused the report, or stayed
     unreachable after the retries

Example
  SECURITY_OBSERVATIONS_URL=https://backstage.example.com \\
  SECURITY_OBSERVATIONS_TOKEN=... \\
  security-observations upload --entity component:default/payments-api \\
    --branch main --fail-on high trivy-results.json
`;
