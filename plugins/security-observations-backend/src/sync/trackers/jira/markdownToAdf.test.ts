import { markdownToAdf } from './markdownToAdf';

const json = (markdown: string) => JSON.stringify(markdownToAdf(markdown));

describe('markdownToAdf', () => {
  it('renders the issue body’s markdown as ADF', () => {
    expect(
      markdownToAdf(
        '### Package\n\n- **Fixed version:** `3.0.13`\n- Name\n\n1. one\n2. two\n\n> **Closed:** assessed.\n\n---\n\n[CVE-2024-1234](https://nvd.nist.gov/vuln/detail/CVE-2024-1234)\n\n```js\nrun(x)\n```',
      ),
    ).toEqual({
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'heading',
          attrs: { level: 3 },
          content: [{ type: 'text', text: 'Package' }],
        },
        {
          type: 'bulletList',
          content: [
            {
              type: 'listItem',
              content: [
                {
                  type: 'paragraph',
                  content: [
                    {
                      type: 'text',
                      text: 'Fixed version:',
                      marks: [{ type: 'strong' }],
                    },
                    { type: 'text', text: ' ' },
                    { type: 'text', text: '3.0.13', marks: [{ type: 'code' }] },
                  ],
                },
              ],
            },
            {
              type: 'listItem',
              content: [
                {
                  type: 'paragraph',
                  content: [{ type: 'text', text: 'Name' }],
                },
              ],
            },
          ],
        },
        {
          type: 'orderedList',
          attrs: { order: 1 },
          content: [
            {
              type: 'listItem',
              content: [
                { type: 'paragraph', content: [{ type: 'text', text: 'one' }] },
              ],
            },
            {
              type: 'listItem',
              content: [
                { type: 'paragraph', content: [{ type: 'text', text: 'two' }] },
              ],
            },
          ],
        },
        {
          type: 'blockquote',
          content: [
            {
              type: 'paragraph',
              content: [
                { type: 'text', text: 'Closed:', marks: [{ type: 'strong' }] },
                { type: 'text', text: ' assessed.' },
              ],
            },
          ],
        },
        { type: 'rule' },
        {
          type: 'paragraph',
          content: [
            {
              type: 'text',
              text: 'CVE-2024-1234',
              marks: [
                {
                  type: 'link',
                  attrs: {
                    href: 'https://nvd.nist.gov/vuln/detail/CVE-2024-1234',
                  },
                },
              ],
            },
          ],
        },
        {
          type: 'codeBlock',
          attrs: { language: 'js' },
          content: [{ type: 'text', text: 'run(x)' }],
        },
      ],
    });
  });

  it('links images instead of embedding them, so no reader’s browser fetches the scanner’s URL', () => {
    const document = json('See ![diagram](https://evil.example/x.png)');
    expect(document).not.toMatch(/"type":"(media|mediaSingle)"/);
    expect(document).toContain(
      '{"type":"text","text":"diagram","marks":[{"type":"link","attrs":{"href":"https://evil.example/x.png"}}]}',
    );
  });

  it.each([
    // eslint-disable-next-line no-script-url
    ['javascript:', '[click](javascript:alert(1))', 'click'],
    ['data:', '[x](data:text/html,<b>x</b>)', 'x'],
    ['file:', '[passwd](file:///etc/passwd)', 'passwd'],
  ])('links no %s URL, keeping the text', (_scheme, markdown, label) => {
    const document = json(markdown);
    expect(document).not.toContain('"type":"link"');
    expect(document).toContain(`"text":"${label}"`);
  });

  it('keeps raw HTML and entities from scanner text as the text they are', () => {
    const document = markdownToAdf(
      'XSS via <script>alert(1)</script> in &lt;b&gt; &amp; co\n\n<div>block</div>',
    );
    expect(JSON.stringify(document)).toContain('<script>');
    expect(JSON.stringify(document)).toContain('alert(1)');
    expect(JSON.stringify(document)).toContain('</script>');
    expect(JSON.stringify(document)).toContain('in <b> & co');
    expect(document.content[1]).toEqual({
      type: 'paragraph',
      content: [{ type: 'text', text: '<div>block</div>' }],
    });
  });

  it('cannot be made to add a node of its own, such as a mention', () => {
    const document = json(
      'Hi <adf>{"type":"mention","attrs":{"id":"5b10a2844c20165700ede21g"}}</adf> and @admin',
    );
    expect(document).not.toContain('"type":"mention"');
    expect(document).toContain('@admin');
  });

  it('writes tables, keeps code marks apart from bold, and no empty text', () => {
    const document = markdownToAdf('| a | **`b`** |\n|---|---|\n| 1 |  |');
    expect(document.content[0]).toMatchObject({
      type: 'table',
      content: [
        {
          type: 'tableRow',
          content: [
            { type: 'tableHeader' },
            {
              type: 'tableHeader',
              content: [
                {
                  type: 'paragraph',
                  content: [
                    { type: 'text', text: 'b', marks: [{ type: 'code' }] },
                  ],
                },
              ],
            },
          ],
        },
        {
          type: 'tableRow',
          content: [
            { type: 'tableCell' },
            {
              type: 'tableCell',
              content: [{ type: 'paragraph', content: [] }],
            },
          ],
        },
      ],
    });
    expect(JSON.stringify(document)).not.toContain('"text":""');
  });
});
