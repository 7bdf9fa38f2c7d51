import { escapeHtml } from '../../util/escape-html.ts';

/**
 * The one escaping mechanism of the report: every value interpolated into `html\`...\`` is escaped,
 * unless it is itself the product of `html` (a SafeHtml). Text from result files (scenario names,
 * descriptions, addresses, error codes, threshold expressions) therefore always renders as text.
 */
export class SafeHtml {
  readonly #markup: string;

  constructor(markup: string) {
    this.#markup = markup;
  }

  toString(): string {
    return this.#markup;
  }
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.toString();
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let markup = strings[0]!;
  for (let i = 0; i < values.length; i++) markup += render(values[i]) + strings[i + 1]!;
  return new SafeHtml(markup);
}

/**
 * Raw text for a <script> or <style> element. Their content is not parsed as HTML, so only a
 * closing tag (or a comment opener) could end it early; `<\/` means the same inside JS and CSS strings.
 */
export function rawElementText(text: string): SafeHtml {
  return new SafeHtml(text.replace(/<\/(script|style)/gi, '<\\/$1').replace(/<!--/g, '<\\!--'));
}

/** JSON for `<script type="application/json">`: `<` becomes `\u003c`, so no tag can close it early. */
export function jsonScriptText(value: unknown): SafeHtml {
  return new SafeHtml(JSON.stringify(value).replace(/</g, '\\u003c'));
}
