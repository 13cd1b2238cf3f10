/** `{{ field }}` placeholders in sink settings (file paths, Kafka topics), parsed once. */

const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

/**
 * Splits a template into the literal text around its placeholders and the field names:
 * `literals.length === fields.length + 1`, and rendering is
 * `literals[0] + v(fields[0]) + literals[1] + … + literals[n]`.
 */
export function splitFieldTemplate(template: string): { literals: string[]; fields: string[] } {
  const literals: string[] = [];
  const fields: string[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    literals.push(template.slice(last, m.index));
    fields.push(m[1]!);
    last = m.index! + m[0].length;
  }
  literals.push(template.slice(last));
  return { literals, fields };
}
