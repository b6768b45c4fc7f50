import { markdownToAdf } from './markdownToAdf';

describe('markdownToAdf', () => {
  it('renders the issue body’s markdown as ADF', () => {
    expect(
      markdownToAdf(
        '### Package\n\n- **Fixed version:** `3.0.13`\n\n[CVE-2024-1234](https://nvd.nist.gov/vuln/detail/CVE-2024-1234)',
      ),
    ).toMatchObject({
      type: 'doc',
      version: 1,
      content: [
        { type: 'heading', attrs: { level: 3 } },
        { type: 'bulletList' },
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
      ],
    });
  });

  it('keeps ADF that scanner text smuggles in as plain text, and does not fail on it', () => {
    const mention =
      '<adf>{"type":"mention","attrs":{"id":"5b10a2844c20165700ede21g","text":"@admin"}}</adf>';
    const document = markdownToAdf(`See ${mention}\n\n<adf>not json</adf>`);
    const json = JSON.stringify(document);
    expect(json).not.toContain('"type":"mention"');
    expect(json).toContain('adf>');
  });
});
