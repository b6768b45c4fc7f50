import { MarkdownContent } from '@backstage/core-components';
import { safeHttpUrl } from '../../links/safeHttpUrl';

// Scanner text is untrusted. MarkdownContent sanitizes the HTML; links and
// images are further limited to absolute http(s) addresses. Anything else
// (`javascript:`, `data:`, app-relative paths) becomes plain text, which
// also keeps Backstage's Link from throwing on a `javascript:` URL.
const onlyHttp = (uri: string) => safeHttpUrl(uri) ?? '';

/** Markdown from a scanner or a tracker, rendered safely. */
export const UntrustedMarkdown = ({ content }: { content: string }) => (
  <MarkdownContent
    content={content}
    dialect="gfm"
    linkTarget="_blank"
    transformLinkUri={onlyHttp}
    transformImageUri={onlyHttp}
  />
);
