/*
 * security-observations: sends scanner reports from CI to Security
 * Observations for Backstage.
 */
import { main } from './main';

main(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
}).then(
  code => {
    process.exitCode = code;
  },
  error => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exitCode = 3;
  },
);
