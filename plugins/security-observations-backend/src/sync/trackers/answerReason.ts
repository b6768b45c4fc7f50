import { STATUS_CODES } from 'node:http';

/**
 * What a tracker's error answer says, for the Security tab and the owners'
 * notifications: the tracker's own words, or the status's name when the
 * answer was empty or an HTML page (a proxy's, a load balancer's or a
 * maintenance page), which would read as markup.
 */
export function answerReason(status: number, said: string | undefined): string {
  const text = (said ?? '').trim();
  const name = STATUS_CODES[status] ?? 'no reason given';
  if (!text) return name;
  if (text.startsWith('<')) return `${name} (an HTML page, not an API answer)`;
  return text;
}
