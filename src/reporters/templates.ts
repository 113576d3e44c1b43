/**
 * The Handlebars environment of the HTML report and the job summary: isolated from the global
 * instance (no helper or partial registered elsewhere can leak in) and strict, so a template that
 * names a field the view model lacks fails in tests instead of printing nothing.
 */
import Handlebars from 'handlebars';

const handlebars = Handlebars.create();

type Template<View> = (view: View) => string;

interface CompileOptions {
  /** For non-HTML output (markdown) whose view model is escaped for its own format already. */
  noEscape?: boolean;
  /** Partials by name, given to this template only. */
  partials?: Record<string, string>;
}

/** Compiles on first use, so importing a reporter costs nothing until it renders. */
export function lazyTemplate<View>(source: string, options: CompileOptions = {}): Template<View> {
  let compiled: HandlebarsTemplateDelegate<View> | undefined;
  return (view) => {
    compiled ??= handlebars.compile<View>(source, { strict: true, knownHelpersOnly: true, noEscape: options.noEscape ?? false });
    return compiled(view, { partials: options.partials ?? {} });
  };
}

/**
 * Marks text the reporter built itself (the report's CSS and script, the JSON payload after
 * script-safe escaping) as already safe for its place in the page. Data never goes through here.
 */
export function trusted(text: string): Handlebars.SafeString {
  return new handlebars.SafeString(text);
}

export type TrustedText = Handlebars.SafeString;
