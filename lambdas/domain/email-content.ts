/**
 * The data an e-mail template is rendered with. SES renders `{{…}}` without escaping, so every
 * value is given twice: as text (`{{text.merchant}}`, for the subject and the text part) and
 * HTML-escaped (`{{html.merchant}}`, for the HTML part). A merchant name such as
 * `<b>Shop</b> & Co` is then shown as written in both parts and never becomes markup.
 */
export interface TemplateData<T> {
  readonly text: T;
  readonly html: T;
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;', '=': '&#61;' };

export const escapeHtml = (value: string): string => value.replace(/[&<>"'`=]/g, (c) => ENTITIES[c]);

function escapeDeep(value: unknown): unknown {
  if (typeof value === 'string') return escapeHtml(value);
  if (Array.isArray(value)) return value.map(escapeDeep);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDeep(v)]));
  return value;
}

export const templateData = <T extends object>(values: T): TemplateData<T> => ({ text: values, html: escapeDeep(values) as T });
