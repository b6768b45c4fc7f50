import { MemoryReportBytes } from '../json/ReportBytes';
import { ReportParseError } from '../parsers/ReportParseError';
import { XmlNode } from './XmlNode';
import { XmlDecision, XmlElement, XmlStream } from './XmlStream';

/** Runs a document through a stream whose handler decides by local name. */
function stream(
  xml: string,
  decide: (element: XmlElement) => XmlDecision,
  chunkBytes?: number,
) {
  const events: string[] = [];
  const collected: XmlNode[] = [];
  const xmlStream = new XmlStream(
    new MemoryReportBytes(Buffer.from(xml)),
    {
      open(element) {
        events.push(`open ${element.path}`);
        return decide(element);
      },
      close(element) {
        events.push(`close ${element.path}`);
      },
      collected(node) {
        events.push(`collected ${node.path}`);
        collected.push(node);
      },
    },
    { label: 'Test XML', chunkBytes },
  );
  while (xmlStream.pump());
  return { events, collected };
}

const failure = (run: () => unknown): ReportParseError => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ReportParseError);
    return error as ReportParseError;
  }
  throw new Error('expected a ReportParseError');
};

describe('XmlStream', () => {
  const doc = `<?xml version="1.0"?>
<root xmlns="urn:a" xmlns:b="urn:b">
  <items>
    <item n="1"><name>one</name><skipped>big</skipped></item>
    <item n="2"><name>t<![CDATA[w<o]]>&amp;</name><b:name>other</b:name></item>
  </items>
  <ignored><item><name>never shown</name></item></ignored>
</root>`;

  it('shows descended elements, builds collected ones without what they leave out, and skips the rest', () => {
    const { events, collected } = stream(doc, element => {
      if (element.local === 'item') {
        return { collect: true, without: new Set(['skipped']) };
      }
      return element.local === 'ignored' ? 'skip' : 'descend';
    });
    expect(events).toEqual([
      'open root',
      'open root/items',
      'open root/items/item[1]',
      'collected root/items/item[1]',
      'open root/items/item[2]',
      'collected root/items/item[2]',
      'close root/items',
      'open root/ignored',
      'close root',
    ]);
    const [first, second] = collected;
    expect(first.attributes).toEqual({ n: '1' });
    expect(first.children.map(child => child.local)).toEqual(['name']);
    expect(first.child('name', 'urn:a')?.text).toBe('one');
    // Text and CDATA together, entities decoded; namespaces kept apart.
    expect(second.child('name', 'urn:a')?.text).toBe('tw<o&');
    expect(second.all('name', 'urn:b').map(node => node.text)).toEqual([
      'other',
    ]);
    expect(second.child('name', 'urn:b')?.path).toBe(
      'root/items/item[2]/b:name',
    );
  });

  it('reads the same in chunks of any size', () => {
    const decide = (element: XmlElement): XmlDecision =>
      element.local === 'item' ? { collect: true } : 'descend';
    const whole = stream(doc, decide);
    for (const chunkBytes of [1, 2, 5, 17]) {
      const chunked = stream(doc, decide, chunkBytes);
      expect(chunked.events).toEqual(whole.events);
      expect(chunked.collected).toEqual(whole.collected);
    }
  });

  it('numbers repeated elements from their second, and list items always', () => {
    const { events } = stream(
      '<r xmlns="urn:a"><a/><a/><values><value/></values></r>',
      () => 'descend',
    );
    expect(events).toContain('open r/a[2]');
    expect(events).toContain('open r/a');
    expect(events).toContain('open r/values/value[1]');
  });

  it('fails at the end of a document cut short, naming the open element', () => {
    const error = failure(() =>
      stream('<r xmlns="urn:a"><a><b>text', () => 'descend'),
    );
    expect(error.message).toBe(
      'Test XML: r/a/b: malformed XML at line 1, column 27: unclosed tag: b',
    );
  });

  it('refuses a DOCTYPE before the handler sees any element', () => {
    const opened: string[] = [];
    const error = failure(() =>
      stream('<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>', element => {
        opened.push(element.name);
        return 'descend';
      }),
    );
    expect(error.message).toMatch(/^Test XML: the document has a DOCTYPE/);
    expect(opened).toEqual([]);
  });
});
