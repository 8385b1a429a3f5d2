import { escapeHtml, templateData } from '../../../lambdas/domain/email-content';

describe('e-mail template data', () => {
  it('escapes every character that can start markup or end an attribute', () => {
    expect(escapeHtml(`<b>Shop</b> & Co "x" 'y' \`z\` a=b`)).toBe(
      '&lt;b&gt;Shop&lt;/b&gt; &amp; Co &quot;x&quot; &#39;y&#39; &#96;z&#96; a&#61;b',
    );
    expect(escapeHtml('Café 12.50 EUR')).toBe('Café 12.50 EUR');
  });

  it('gives each value as text and HTML-escaped, through nested objects and lists', () => {
    const values = { merchant: '<i>M&S</i>', count: 2, rows: [{ id: 'a"b', amount: '1.50' }], none: null, yes: true };
    expect(templateData(values)).toEqual({
      text: values,
      html: { merchant: '&lt;i&gt;M&amp;S&lt;/i&gt;', count: 2, rows: [{ id: 'a&quot;b', amount: '1.50' }], none: null, yes: true },
    });
    expect(values.merchant).toBe('<i>M&S</i>');
  });
});
