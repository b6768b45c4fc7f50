import fc from 'fast-check';
import { Observation } from 'backstage-plugin-security-observations-common';
import { renderIssue } from '../../renderIssue';
import { markdownToJiraWiki } from './markdownToJiraWiki';

/** A Trivy finding in a container image, with scanner text that uses markdown. */
const trivyFinding: Observation = {
  id: '7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6',
  entityRef: 'component:default/payments-api',
  branch: 'main',
  scanner: 'trivy',
  source: '',
  identityHash: 'beef',
  title: 'openssl: X.400 address type confusion in X.509 GeneralName',
  description: [
    'There is a type confusion vulnerability relating to X.400 address processing inside an X.509 `GeneralName`. Ping @security-team.',
    '```c\nint r = GENERAL_NAME_cmp(a, b);\n```',
    'See [the advisory](https://www.openssl.org/news/secadv/20230207.txt).',
  ].join('\n\n'),
  severity: 'critical',
  parserSeverity: 'critical',
  assessedSeverity: null,
  status: 'resolved',
  parserStatus: 'resolved',
  assessedStatus: null,
  justification: null,
  ruleId: null,
  vulnerabilityIds: ['CVE-2023-0286', 'GHSA-x4qr-2fvf-3mr5'],
  cwes: ['CWE-843'],
  package: {
    name: 'openssl',
    version: '3.0.2-0ubuntu1.7',
    fixedVersion: '3.0.2-0ubuntu1.8',
    purl: 'pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.7?distro=ubuntu-22.04',
  },
  location: {
    file: null,
    startLine: null,
    endLine: null,
    uri: null,
    image: 'ghcr.io/acme-corp/payments-api:1.4.2',
    endpoint: null,
  },
  firstSeenAt: '2026-11-30T10:00:00.000Z',
  lastSeenAt: '2026-12-01T10:00:00.000Z',
  resolvedAt: '2026-12-02T10:00:00.000Z',
  riskAcceptanceExpiresAt: null,
  tracker: null,
  updatedAt: '2026-12-02T10:00:00.000Z',
};

const tabUrl =
  'https://backstage.acme.example/catalog/default/component/payments-api/security?observation=7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6';

describe('markdownToJiraWiki', () => {
  it('converts a whole issue body', () => {
    const body = [
      '**Severity:** Critical · **Status:** resolved · **Scanner:** `trivy` · **Branch:** `main`',
      '> **Closed:** not found in the latest scan.',
      'There is a type confusion vulnerability relating to X.400 address processing inside an X.509 `GeneralName`. Ping @&#8203;security-team.',
      '```c\nint r = GENERAL_NAME_cmp(a, b);\n```',
      'See [the advisory](https://www.openssl.org/news/secadv/20230207.txt).',
      '### Location\n- **Image:** `ghcr.io/acme-corp/payments-api:1.4.2`',
      '### Package\n- **Name:** `openssl`\n- **Installed version:** `3.0.2-0ubuntu1.7`\n- **Fixed version:** `3.0.2-0ubuntu1.8`\n- **Package URL:** `pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.7?distro=ubuntu-22.04`',
      '### Vulnerabilities\n- [CVE-2023-0286](https://nvd.nist.gov/vuln/detail/CVE-2023-0286)\n- [GHSA-x4qr-2fvf-3mr5](https://github.com/advisories/GHSA-x4qr-2fvf-3mr5)',
      '**Weaknesses:** [CWE-843](https://cwe.mitre.org/data/definitions/843.html)',
      '---',
      `[See this observation on the Security tab in Backstage](${tabUrl}) · _Kept in sync by Security Observations for Backstage: edits to the title and this text are overwritten; labels, assignees and milestones stay._`,
    ].join('\n\n');
    expect(markdownToJiraWiki(body)).toBe(
      [
        '*Severity:* Critical · *Status:* resolved · *Scanner:* {{trivy}} · *Branch:* {{main}}',
        '{quote}\n*Closed:* not found in the latest scan.\n{quote}',
        'There is a type confusion vulnerability relating to X.400 address processing inside an X.509 {{GeneralName}}. Ping @\u200bsecurity\\-team.',
        '{code:c}\nint r = GENERAL_NAME_cmp(a, b);\n{code}',
        'See [the advisory|https://www.openssl.org/news/secadv/20230207.txt].',
        'h3. Location',
        '* *Image:* {{ghcr.io/acme\\-corp/payments\\-api:1.4.2}}',
        'h3. Package',
        [
          '* *Name:* {{openssl}}',
          '* *Installed version:* {{3.0.2\\-0ubuntu1.7}}',
          '* *Fixed version:* {{3.0.2\\-0ubuntu1.8}}',
          '* *Package URL:* {{pkg:deb/ubuntu/openssl@3.0.2\\-0ubuntu1.7\\?distro=ubuntu\\-22.04}}',
        ].join('\n'),
        'h3. Vulnerabilities',
        [
          '* [CVE\\-2023\\-0286|https://nvd.nist.gov/vuln/detail/CVE-2023-0286]',
          '* [GHSA\\-x4qr\\-2fvf\\-3mr5|https://github.com/advisories/GHSA-x4qr-2fvf-3mr5]',
        ].join('\n'),
        '*Weaknesses:* [CWE\\-843|https://cwe.mitre.org/data/definitions/843.html]',
        '----',
        `[See this observation on the Security tab in Backstage|${tabUrl}] · _Kept in sync by Security Observations for Backstage: edits to the title and this text are overwritten; labels, assignees and milestones stay._`,
      ].join('\n\n'),
    );
  });

  it('leaves no markdown in what renderIssue writes', () => {
    const issue = renderIssue({
      observation: trivyFinding,
      decision: {
        state: 'closed',
        closeReason: 'fixed',
        because: 'not found in the latest scan',
      },
      labels: ['security'],
      appBaseUrl: 'https://backstage.acme.example/',
      bodyLimit: 65_536,
    });
    const wiki = markdownToJiraWiki(issue.body);
    expect(wiki).toContain('{code:c}\nint r = GENERAL_NAME_cmp(a, b);\n{code}');
    expect(wiki).toContain(
      '* [CVE\\-2023\\-0286|https://nvd.nist.gov/vuln/detail/CVE-2023-0286]',
    );
    expect(wiki).toContain(`|${tabUrl}]`);
    expect(wiki).toContain('Ping @\u200bsecurity\\-team.');
    expect(wiki).not.toMatch(/\*\*|`|\]\(|^#+ |^- |&#8203;/m);
  });

  it.each([
    [
      'headings',
      '# One\n\n###### Six\n\nSetext\n---',
      'h1. One\n\nh6. Six\n\nh2. Setext',
    ],
    [
      'paragraphs',
      'First line\nsecond line\n\nNext',
      'First line\nsecond line\n\nNext',
    ],
    ['bold', 'a **strong** word', 'a *strong* word'],
    [
      'italics with underscores',
      'an _emphasised_ word',
      'an _emphasised_ word',
    ],
    ['italics with asterisks', 'an *emphasised* word', 'an _emphasised_ word'],
    ['bold italics', '***both***', '_*both*_'],
    ['strikethrough', '~~gone~~ now', '-gone- now'],
    ['formatting inside a word', 'pre**fix**ed', 'pre{*}fix{*}ed'],
    ['a phrase ending in a space', 'a **b&#32;** c', 'a *b*  c'],
    ['inline code', 'run `npm audit` now', 'run {{npm audit}} now'],
    ['inline code with a backtick', 'a ``x`y`` b', 'a {{x`y}} b'],
    [
      'inline code with closing braces',
      'use `a}}b{{c`',
      'use {{a&#125;&#125;b&#123;&#123;c}}',
    ],
    ['inline code with markup', '`*not bold*`', '{{\\*not bold\\*}}'],
    ['inline code inside a word', 'x`y`z', 'x{{{}y{}}}z'],
    [
      'fenced code with a language',
      '```python\ncursor.execute("SELECT * FROM t WHERE id = " + id)\n```',
      '{code:python}\ncursor.execute("SELECT * FROM t WHERE id = " + id)\n{code}',
    ],
    [
      'fenced code with an alias',
      '```yml\na: 1\n```',
      '{code:yaml}\na: 1\n{code}',
    ],
    [
      'fenced code without a language',
      '```\n*raw* [text]\n```',
      '{noformat}\n*raw* [text]\n{noformat}',
    ],
    [
      'fenced code in a language Jira does not know',
      '```hcl\nresource "x" {}\n```',
      '{noformat}\nresource "x" {}\n{noformat}',
    ],
    [
      'indented code',
      '    curl -k https://x',
      '{noformat}\ncurl -k https://x\n{noformat}',
    ],
    ['a link', '[NVD](https://nvd.nist.gov/)', '[NVD|https://nvd.nist.gov/]'],
    [
      'a mailto link',
      '[mail us](mailto:sec@acme.example)',
      '[mail us|mailto:sec@acme.example]',
    ],
    [
      'a link whose URL holds wiki characters',
      '[q](https://x.example/a_b?q=[1]|{2}!)',
      '[q|https://x.example/a_b?q=%5B1%5D%7C%7B2%7D%21]',
    ],
    [
      'a link with markup in its text',
      '[**bold** link](https://x.example/)',
      '[*bold* link|https://x.example/]',
    ],
    [
      'a link with entities in its URL',
      '[q](https://x.example/?a=1&amp;b=2)',
      '[q|https://x.example/?a=1&b=2]',
    ],
    [
      'an autolink',
      '<https://x.example/a>',
      '[https&#58;//x.example/a|https://x.example/a]',
    ],
    [
      'a bare URL',
      'see https://x.example/a.',
      'see [https&#58;//x.example/a|https://x.example/a].',
    ],
    [
      'a bare email address',
      'to sec@acme.example',
      'to [sec@acme.example|mailto:sec@acme.example]',
    ],
    [
      'an image',
      '![diagram](https://x.example/d.png)',
      '[diagram|https://x.example/d.png]',
    ],
    [
      'an image without alt text',
      '![](https://x.example/d.png)',
      '[https&#58;//x.example/d.png|https://x.example/d.png]',
    ],
    [
      'an image inside a link',
      '[![build](https://ci.example/b.svg)](https://ci.example/)',
      '[build|https://ci.example/]',
    ],
    ['a bullet list', '- one\n- two', '* one\n* two'],
    [
      'a nested bullet list',
      '- one\n  - two\n    - three',
      '* one\n** two\n*** three',
    ],
    [
      'a numbered list',
      '1. one\n2. two\n   1. two.one',
      '# one\n# two\n## two.one',
    ],
    [
      'a numbered list in a bullet list',
      '- one\n  1. first',
      '* one\n*# first',
    ],
    ['a task list', '- [x] done\n- [ ] todo', '* ☑ done\n* ☐ todo'],
    ['a loose list item', '- one\n\n  more\n- two', '* one \\\\ more\n* two'],
    ['a hard line break in a list item', '- one  \n  two', '* one \\\\ two'],
    [
      'code in a list item',
      '- upgrade:\n\n  ```sh\n  npm i x@2\n  ```',
      '* upgrade:\n{code:bash}\nnpm i x@2\n{code}',
    ],
    ['a blockquote', '> quoted\n> text', '{quote}\nquoted\ntext\n{quote}'],
    [
      'a nested blockquote',
      '> outer\n>\n> > inner',
      '{quote}\nouter\n\ninner\n{quote}',
    ],
    [
      'a blockquote in a list in a blockquote',
      '> - item\n>\n>   > inner',
      '{quote}\n* item\ninner\n{quote}',
    ],
    ['a rule', 'above\n\n---\n\nbelow', 'above\n\n----\n\nbelow'],
    [
      'a table',
      '| Package | Fixed in |\n|---|:-:|\n| `openssl` | **3.0.8** |\n| a \\| b | |',
      '||Package||Fixed in||\n|{{openssl}}|*3.0.8*|\n|a &#124; b| |',
    ],
    ['a hard line break', 'one  \ntwo\\\nthree', 'one\ntwo\nthree'],
    [
      'a block of raw HTML',
      '<div align="center">\n  <b>hi</b>\n</div>',
      '<div align="center">\n  <b>hi</b>\n</div>',
    ],
    ['inline raw HTML', 'press <kbd>Ctrl</kbd>', 'press <kbd>Ctrl</kbd>'],
    ['an HTML comment', '<!-- hidden -->', '<\\!\\-\\- hidden \\-\\->'],
    [
      'entities',
      'AT&amp;T &lt;tag&gt; &copy; &#8203; &#x1F600;',
      'AT&T <tag> © \u200b 😀',
    ],
    ['an unknown entity', '&bogus;', '&amp;bogus;'],
    ['an escaped entity', '\\&amp;', '&amp;amp;'],
    [
      'an entity inside a block of raw HTML',
      '<p>a &amp; b</p>',
      '<p>a &amp;amp; b</p>',
    ],
    ['a backslash', 'C:\\Windows\\\\System32', 'C:&#92;Windows&#92;System32'],
    ['a markdown escape', '\\*not emphasised\\*', '\\*not emphasised\\*'],
    [
      'a reference link',
      '[CVE][1]\n\n[1]: https://x.example/c',
      '[CVE|https://x.example/c]',
    ],
  ])('converts %s', (_, markdown, wiki) => {
    expect(markdownToJiraWiki(markdown)).toBe(wiki);
  });

  it('keeps code as written, but never lets it close its block', () => {
    expect(
      markdownToJiraWiki(
        '```js\nconst a = "{code}"; // *[x|y]*\n{noformat}\n```\n\ntext',
      ),
    ).toBe(
      '{code:javascript}\nconst a = "{\u200bcode}"; // *[x|y]*\n{\u200bnoformat}\n{code}\n\ntext',
    );
    expect(markdownToJiraWiki('```\nend {NoFormat} here\n```')).toBe(
      '{noformat}\nend {\u200bNoFormat} here\n{noformat}',
    );
    // `{quote}` does not nest: code in a quote must not end the quote.
    expect(markdownToJiraWiki('> ```\n> {quote}\n> ```')).toBe(
      '{quote}\n{noformat}\n{\u200bquote}\n{noformat}\n{quote}',
    );
  });

  it('keeps a phrase readable when it holds characters Jira will not format', () => {
    expect(markdownToJiraWiki('**by @&#8203;alice** _½ done_')).toBe(
      '*by @&#8203;alice* _&#189; done_',
    );
  });

  it.each([
    [
      'the html macro',
      '{html}<script>alert(1)</script>{html}',
      '&#123;html&#125;<script>alert(1)</script>&#123;html&#125;',
    ],
    [
      'a user mention',
      '[~admin] please look',
      '&#91;\\~admin&#93; please look',
    ],
    [
      'an embedded image',
      '!https://evil.example/x.png!',
      '\\![https&#58;//evil.example/x.png|https://evil.example/x.png]\\!',
    ],
    [
      'an embedded attachment',
      '!payload.png|thumbnail!',
      '\\!payload.png&#124;thumbnail\\!',
    ],
    [
      'a wiki link to javascript',
      '[click|javascript:alert(1)]',
      '&#91;click&#124;javascript:alert(1)&#93;',
    ],
    [
      'a colour macro',
      '{color:red}x{color}',
      '&#123;color:red&#125;x&#123;color&#125;',
    ],
    [
      'a panel macro',
      '{panel:title=Hi}body{panel}',
      '&#123;panel:title=Hi&#125;body&#123;panel&#125;',
    ],
    [
      'a code macro',
      'text {code}x{code}',
      'text &#123;code&#125;x&#123;code&#125;',
    ],
    [
      'a monospace phrase',
      '{{monospace}}',
      '&#123;&#123;monospace&#125;&#125;',
    ],
    [
      'phrase markers',
      '+ins+ ^sup^ ??cite?? -del- *b*',
      '\\+ins\\+ \\^sup\\^ \\?\\?cite\\?\\? \\-del\\- _b_',
    ],
    ['a heading at a line start', 'x\nh1. Title', 'x\n&#104;1. Title'],
    ['a heading at the start', 'h2. Title', '&#104;2. Title'],
    ['a quote at a line start', 'bq. quoted', '&#98;q. quoted'],
    ['a numbered list at a line start', 'x\n#1 item', 'x\n\\#1 item'],
    [
      'a table at a line start',
      'x\n||a||b||',
      'x\n&#124;&#124;a&#124;&#124;b&#124;&#124;',
    ],
    ['a rule', 'x\n\\----', 'x\n\\-\\-\\-\\-'],
    ['a forced line break', 'a \\\\\\\\ b', 'a &#92;&#92; b'],
    ['an anchor', '{anchor:top}', '&#123;anchor:top&#125;'],
    [
      'a bare file URL',
      'open file:///etc/passwd',
      'open file&#58;///etc/passwd',
    ],
    ['a bare mailto URL', 'mailto:ceo', 'mailto&#58;ceo'],
    [
      'a bare file URL without slashes',
      'see file:secrets.txt',
      'see file&#58;secrets.txt',
    ],
    ['a markdown link to javascript', '[click](javascript:alert(1))', 'click'],
    ['a markdown link to a file', '[passwd](file:///etc/passwd)', 'passwd'],
    ['a markdown link to data', '[x](data:text/html;base64,PHNjcmlwdD4=)', 'x'],
    ['a relative markdown link', '[x](/admin)', 'x'],
    ['a markdown image from data', '![x](data:image/png;base64,AAAA)', 'x'],
    ['a markdown image by mailto', '![x](mailto:a@b.example)', 'x'],
    ['an ftp URL', 'ftp://files.example/x', 'ftp&#58;//files.example/x'],
    [
      'a link text that closes the link',
      '[a|b](https://x.example/)',
      '[a&#124;b|https://x.example/]',
    ],
    [
      'a link text with a mention',
      '[[~admin]](https://x.example/)',
      '[&#91;\\~admin&#93;|https://x.example/]',
    ],
    [
      'a table cell with markup',
      '| h |\n|---|\n| {html}x |',
      '||h||\n|&#123;html&#125;x|',
    ],
    ['a heading with markup', '## {color:red}x', 'h2. &#123;color:red&#125;x'],
    ['a list item with markup', '- !x.png!', '* \\!x.png\\!'],
    ['raw HTML with markup', '<p>{html}</p>', '<p>&#123;html&#125;</p>'],
    ['a newline from an entity', 'a&#10;h1. b', 'a\n&#104;1. b'],
  ])('keeps %s literal', (_, markdown, wiki) => {
    expect(markdownToJiraWiki(markdown)).toBe(wiki);
  });

  it('lets no untrusted text through as markup', () => {
    // Characters markdown leaves alone but Jira reads as markup.
    const piece = fc.constantFrom(
      '{',
      '}',
      '|',
      '||',
      '!',
      '[',
      ']',
      '[~',
      '\\',
      '^',
      '?',
      'h1. ',
      'bq. ',
      '#',
      'a',
      ' ',
      '\n',
      ':',
      '//',
      '&',
      ';',
      'amp',
      '#123',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), pieces => {
        const markdown = pieces.join('').replace(/^[ \t#]+/gm, '');
        const wiki = markdownToJiraWiki(markdown);
        const literal = wiki
          .replace(/&(#\d+|amp);/g, '·')
          .replace(/\\[-#*_+?^~|%{}[\]()!@]/g, '·')
          // Markdown's own strikethrough (`~x~`), written as Jira's.
          .replace(/\{-\}/g, '·');
        expect(literal).not.toMatch(/[{}|![\]\\^?]|&#?\w+;/);
        expect(literal).not.toMatch(/^\s*(h[1-6]\.|bq\.|#)/m);
        expect(literal).not.toContain('://');
      }),
      // A fixed seed: the same cases in every run (seed 455890756 found
      // the strikethrough case above).
      { seed: 20261206, numRuns: 2000 },
    );
  });

  it('ends without blank lines and gives the same output each time', () => {
    const markdown = 'text\n\n```\ncode\n\n\n```\n\n\n\n<!-- x -->\n\n  \n';
    const wiki = markdownToJiraWiki(markdown);
    expect(wiki).toBe(
      'text\n\n{noformat}\ncode\n\n\n{noformat}\n\n<\\!\\-\\- x \\-\\->',
    );
    expect(markdownToJiraWiki(markdown)).toBe(wiki);
    expect(markdownToJiraWiki('')).toBe('');
    expect(markdownToJiraWiki('  \n\n')).toBe('');
  });

  it('converts very long lines whole', () => {
    // A base64 blob, as scanners quote request bodies.
    const line = 'QUJD+/=='.repeat(25_000);
    const wiki = markdownToJiraWiki(line);
    expect(wiki).toBe('QUJD\\+/=='.repeat(25_000));
  });
});
