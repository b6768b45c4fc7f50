/*
 * What the hostile-content test looks for in the page: a payload that ran,
 * markup that could run one, and links anywhere but the web.
 */
import { Page } from '@playwright/test';
import { PWNED_FUNCTION } from './hostileReports';

/**
 * Records every payload that runs from now on: a call of the function the
 * payloads call, or a dialog (`alert`, `confirm`, `prompt`), which is
 * dismissed. The returned list fills as the page runs.
 */
export async function recordScriptRuns(page: Page): Promise<string[]> {
  const runs: string[] = [];
  await page.exposeFunction(PWNED_FUNCTION, (where: unknown) => {
    runs.push(`payload ran: ${String(where)}`);
  });
  page.on('dialog', dialog => {
    runs.push(`dialog ${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  // Backstage's Link throws on a `javascript:` URL: the drawer would break.
  page.on('pageerror', error => {
    if (/javascript: URL/i.test(error.message)) {
      runs.push(`a javascript: URL reached a link: ${error.message}`);
    }
  });
  return runs;
}

/**
 * Markup in the whole document that runs script or loads a document: any
 * `on*` attribute (React sets none: it listens on the root), script with a
 * payload, frames, objects, forms and `<base>`/`<meta refresh>`, and URL
 * attributes with a payload or a script scheme.
 */
export function activeMarkup(page: Page): Promise<string[]> {
  return page.evaluate(pwnedFunction => {
    const found: string[] = [];
    const describe = (element: Element) =>
      element.outerHTML.replace(/\s+/g, ' ').slice(0, 160);
    // Images the app inlines are `data:image/...`: only script schemes count.
    // Leading control characters are ignored by URL parsing, like spaces.
    const scriptScheme =
      // eslint-disable-next-line no-control-regex
      /^[\s\u0000-\u001f]*(javascript:|vbscript:|data:text\/html)/i;
    const urlAttributes = [
      'href',
      'xlink:href',
      'src',
      'action',
      'formaction',
      'data',
      'poster',
      'background',
    ];
    const isWebUrl = (value: string) => /^https?:\/\//i.test(value.trim());
    for (const element of Array.from(document.querySelectorAll('*'))) {
      for (const attribute of Array.from(element.attributes)) {
        const name = attribute.name.toLowerCase();
        const value = attribute.value;
        // A web address may hold a payload as text (a file named after
        // one): it only leads to that page.
        const unsafeUrl =
          scriptScheme.test(value) ||
          (value.includes(pwnedFunction) && !isWebUrl(value));
        if (name.startsWith('on')) {
          found.push(`${name} attribute: ${describe(element)}`);
        } else if (
          name === 'srcdoc' ||
          (name === 'style' && value.includes(pwnedFunction)) ||
          (urlAttributes.includes(name) && unsafeUrl)
        ) {
          found.push(`${name}="${value}": ${describe(element)}`);
        }
      }
    }
    for (const script of Array.from(document.querySelectorAll('script'))) {
      if (script.textContent?.includes(pwnedFunction)) {
        found.push(`script: ${describe(script)}`);
      }
    }
    for (const element of Array.from(
      document.querySelectorAll(
        'iframe, frame, object, embed, form[action], base, meta[http-equiv="refresh" i]',
      ),
    )) {
      found.push(`${element.tagName.toLowerCase()}: ${describe(element)}`);
    }
    return found;
  }, PWNED_FUNCTION);
}

/**
 * Every link of the document (HTML and SVG `<a>`, `<area>`) whose target,
 * as the browser resolves it, is not http(s), mailto or the app's own
 * origin: with its text and the `href` as written.
 */
export function linksOffTheWeb(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    for (const link of Array.from(document.querySelectorAll('a, area'))) {
      const href =
        link.getAttribute('href') ?? link.getAttribute('xlink:href') ?? null;
      if (href === null) continue;
      let protocol: string;
      try {
        protocol = new URL(href, document.baseURI).protocol;
      } catch {
        found.push(`unparsable href "${href}" (${link.textContent})`);
        continue;
      }
      if (!['http:', 'https:', 'mailto:'].includes(protocol)) {
        found.push(`${protocol} href "${href}" (${link.textContent})`);
      }
    }
    return found;
  });
}
