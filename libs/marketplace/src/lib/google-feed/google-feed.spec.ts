import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { renderGoogleFeed, googlePrice } from './render';
import { truncate, xmlText } from './xml';
import { absoluteUrl, feedGtin } from './google-feed.service';
import type { GoogleFeedItem } from './google-feed.types';

const item = (over: Partial<GoogleFeedItem> = {}): GoogleFeedItem => ({
  id: 'TA-LTD-100',
  itemGroupId: '6a1f3c1e-6a7b-4c8d-9e0f-123456789abc',
  title: 'Lá tắm người Dao - Gói 100 g',
  description: 'Lá thuốc tắm của người Dao đỏ, Vi Hương',
  link: 'https://htxso.vn/san-pham/la-tam-nguoi-dao',
  imageLink: 'https://htxso.vn/images/products/la-tam-nguoi-dao.svg',
  additionalImageLinks: [],
  availability: 'in_stock',
  priceVnd: 125000,
  brand: 'Thiên An',
  gtin: '8930000000017',
  condition: 'new',
  productType: 'Thảo dược',
  shippingWeightGrams: 100,
  ...over,
});

const parse = (xml: string) => new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => name === 'item' }).parse(xml);

describe('XML escaping of the Google feed', () => {
  it('escapes the five markup characters', () => {
    expect(xmlText(`Trà & "mật" <ong> 'rừng'`)).toBe('Trà &amp; &quot;mật&quot; &lt;ong&gt; &apos;rừng&apos;');
  });

  it('keeps Vietnamese letters and normalises decomposed ones to NFC', () => {
    const decomposed = 'Nghe vàng Bắc Kạn'.normalize('NFD');
    expect(decomposed).not.toBe('Nghe vàng Bắc Kạn');
    expect(xmlText(decomposed)).toBe('Nghe vàng Bắc Kạn');
  });

  it('drops characters XML 1.0 cannot carry but keeps tabs and newlines', () => {
    expect(xmlText('a\u0000b\u0008c\u001Fd\uFFFEe\uD800f\tg\nh')).toBe('abcdef\tg\nh');
    expect(xmlText('🌿 trà')).toBe('🌿 trà');
  });

  it('produces a well-formed feed whatever the names contain, and a parser reads the exact text back', () => {
    const nasty = `Trà "Shan tuyết" <cổ thụ> & mật ong 'Nậm Tỵ' ]]> </g:title><g:price>1 VND</g:price>`;
    const xml = renderGoogleFeed(
      { title: 'HTX <Thiên An> & "bạn"', link: 'https://htxso.vn/san-pham?cooperative=thien-an&x=1', description: 'Hợp tác xã' },
      [item({ title: nasty, description: nasty, brand: 'A&B <Nậm Tỵ>', productType: 'Trà & thảo dược' })],
    );
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parse(xml);
    expect(doc.rss['@_xmlns:g']).toBe('http://base.google.com/ns/1.0');
    expect(doc.rss.channel.title).toBe('HTX <Thiên An> & "bạn"');
    expect(doc.rss.channel.link).toBe('https://htxso.vn/san-pham?cooperative=thien-an&x=1');
    const [it] = doc.rss.channel.item;
    expect(it['g:title']).toBe(nasty);
    expect(it['g:description']).toBe(nasty);
    expect(it['g:brand']).toBe('A&B <Nậm Tỵ>');
    // The injected </g:title><g:price> stayed text: the one real price is ours.
    expect(it['g:price']).toBe('125000 VND');
  });

  it('writes prices as whole đồng with the currency code and refuses fractions', () => {
    expect(googlePrice(125000)).toBe('125000 VND');
    expect(() => googlePrice(1.5)).toThrow(/whole number/);
  });

  it('keeps titles within Google’s 150 characters, counting Vietnamese letters as one', () => {
    const long = 'Trà xanh Shan tuyết cổ thụ '.repeat(10);
    const cut = truncate(long, 150);
    expect([...cut].length).toBeLessThanOrEqual(150);
    expect(cut.endsWith('…')).toBe(true);
    const xml = renderGoogleFeed({ title: 't', link: 'https://x.vn', description: 'd' }, [item({ title: long })]);
    expect([...parse(xml).rss.channel.item[0]['g:title']].length).toBeLessThanOrEqual(150);
  });

  it('sends an EAN-13 for a GTIN-14 with a leading zero and makes image paths absolute', () => {
    expect(feedGtin('08930000000017')).toBe('8930000000017');
    expect(feedGtin('18930000000014')).toBe('18930000000014');
    expect(absoluteUrl('https://htxso.vn', '/images/products/trà.svg')).toBe('https://htxso.vn/images/products/tr%C3%A0.svg');
    expect(absoluteUrl('https://htxso.vn', 'https://cdn.example.vn/a.jpg')).toBe('https://cdn.example.vn/a.jpg');
  });
});
