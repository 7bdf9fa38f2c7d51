import { GoTypesError } from './errors.ts';
import { type GoToken, tokenizeGo } from './go-tokens.ts';

/** A Go type as written in the source, before names are looked up. */
export type GoTypeExpr =
  | { readonly kind: 'name'; readonly name: string; readonly pkg?: string }
  | { readonly kind: 'pointer'; readonly elem: GoTypeExpr }
  | { readonly kind: 'slice'; readonly elem: GoTypeExpr }
  | { readonly kind: 'array'; readonly length: string; readonly elem: GoTypeExpr }
  | { readonly kind: 'map'; readonly key: GoTypeExpr; readonly elem: GoTypeExpr }
  | { readonly kind: 'struct'; readonly fields: readonly GoFieldDecl[] }
  /** interface, func, chan, a generic type's instance: what gob and JSON cannot carry here. */
  | { readonly kind: 'other'; readonly what: string };

export interface GoFieldDecl {
  readonly name: string;
  readonly embedded: boolean;
  readonly type: GoTypeExpr;
  /** The struct tag without its quotes, '' for none. */
  readonly tag: string;
}

export interface GoTypeDecl {
  readonly name: string;
  readonly expr: GoTypeExpr;
  /** `type List[T any] …`: not readable without instantiation. */
  readonly generic: boolean;
  /** file:line, for messages. */
  readonly where: string;
}

export interface GoMethodDecl {
  /** The receiver's type name, which GeeRPC takes as the service name. */
  readonly receiver: string;
  readonly name: string;
  readonly params: readonly GoTypeExpr[];
  readonly results: readonly GoTypeExpr[];
  readonly where: string;
}

/** The type and method declarations of Go source files; everything else in them is skipped. */
export interface GoDeclarations {
  readonly types: Map<string, GoTypeDecl>;
  readonly methods: GoMethodDecl[];
}

export function emptyGoDeclarations(): GoDeclarations {
  return { types: new Map(), methods: [] };
}

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const TYPE_STARTS = new Set(['*', '[', '(', '<-']);

/** Reads the type declarations and methods of one Go source file into `into`. */
export function readGoDeclarations(source: string, file: string, into: GoDeclarations): void {
  new DeclarationReader(tokenizeGo(source, file), file, into).readFile();
}

class DeclarationReader {
  #at = 0;

  constructor(
    readonly tokens: readonly GoToken[],
    readonly file: string,
    readonly into: GoDeclarations,
  ) {}

  readFile(): void {
    while (this.#at < this.tokens.length) {
      const token = this.#next();
      if (token.text === ';') continue;
      if (token.text === 'type') this.#group(() => this.#typeSpec());
      else if (token.text === 'func') this.#func();
      else if (['package', 'import', 'var', 'const'].includes(token.text)) this.#skipStatement();
      else this.#fail(token, `expected a declaration, found "${token.text}"`);
    }
  }

  #group(spec: () => void): void {
    if (!this.#accept('(')) {
      spec();
      return;
    }
    while (!this.#accept(')')) {
      if (!this.#accept(';')) spec();
    }
  }

  #typeSpec(): void {
    const name = this.#ident();
    let generic = false;
    if (this.#peek().text === '[' && this.#peek(1).kind === 'ident' && this.#peek(2).text !== ']') {
      this.#skipBalanced();
      generic = true;
    }
    this.#accept('=');
    const expr = this.#type();
    if (!this.into.types.has(name.text)) {
      this.into.types.set(name.text, { name: name.text, expr, generic, where: this.#where(name) });
    }
  }

  #func(): void {
    const start = this.#peek();
    const receiver = this.#peek().text === '(' ? this.#params() : undefined;
    const name = this.#ident();
    if (this.#peek().text === '[') this.#skipBalanced();
    const params = this.#params();
    const results = this.#results();
    if (this.#peek().text === '{') this.#skipBalanced();
    const receiverType = receiver?.[0];
    const base = receiverType?.kind === 'pointer' ? receiverType.elem : receiverType;
    if (base?.kind === 'name' && base.pkg === undefined) {
      this.into.methods.push({
        receiver: base.name,
        name: name.text,
        params,
        results,
        where: this.#where(start),
      });
    }
  }

  #results(): GoTypeExpr[] {
    if (this.#peek().text === '(') return this.#params();
    return this.#startsType(this.#peek()) ? [this.#type()] : [];
  }

  /** A parameter list: `(a, b int, c *T)`, `(int, *T)` or `(args T, reply *R)`; the types, one per parameter. */
  #params(): GoTypeExpr[] {
    this.#expect('(');
    const entries: { name?: string; type?: GoTypeExpr }[] = [];
    while (!this.#accept(')')) {
      const token = this.#peek();
      const after = this.#peek(1).text;
      if (token.kind === 'ident' && ![',', ')', '.'].includes(after)) {
        this.#next();
        this.#accept('...');
        entries.push({ name: token.text, type: this.#type() });
      } else {
        this.#accept('...');
        entries.push({ type: this.#type() });
      }
      if (!this.#accept(',')) {
        this.#expect(')');
        break;
      }
    }
    if (!entries.some((entry) => entry.name !== undefined)) return entries.map((entry) => entry.type!);
    // `a, b int`: a bare name takes the type of the next named parameter.
    const types: GoTypeExpr[] = [];
    let shared: GoTypeExpr | undefined;
    for (const entry of entries.reverse()) {
      if (entry.name !== undefined) shared = entry.type;
      types.unshift(entry.name !== undefined ? entry.type! : shared!);
    }
    return types;
  }

  #type(): GoTypeExpr {
    const token = this.#next();
    switch (token.text) {
      case '*':
        return { kind: 'pointer', elem: this.#type() };
      case '(': {
        const inner = this.#type();
        this.#expect(')');
        return inner;
      }
      case '[': {
        if (this.#accept(']')) return { kind: 'slice', elem: this.#type() };
        let length = '';
        while (!this.#accept(']')) length += this.#next().text;
        return { kind: 'array', length, elem: this.#type() };
      }
      case 'map': {
        this.#expect('[');
        const key = this.#type();
        this.#expect(']');
        return { kind: 'map', key, elem: this.#type() };
      }
      case 'struct':
        return { kind: 'struct', fields: this.#fields() };
      case 'interface':
        this.#skipBalanced();
        return { kind: 'other', what: 'an interface' };
      case 'func':
        this.#params();
        this.#results();
        return { kind: 'other', what: 'a func' };
      case 'chan':
      case '<-':
        if (token.text === '<-') this.#expect('chan');
        this.#accept('<-');
        this.#type();
        return { kind: 'other', what: 'a channel' };
    }
    if (token.kind !== 'ident') this.#fail(token, `expected a type, found "${token.text}"`);
    const qualified = this.#accept('.') ? this.#ident().text : undefined;
    if (this.#peek().text === '[') {
      this.#skipBalanced();
      return { kind: 'other', what: `an instance of the generic type ${token.text}` };
    }
    return qualified === undefined
      ? { kind: 'name', name: token.text }
      : { kind: 'name', name: qualified, pkg: token.text };
  }

  #fields(): GoFieldDecl[] {
    this.#expect('{');
    const fields: GoFieldDecl[] = [];
    while (!this.#accept('}')) {
      if (this.#accept(';')) continue;
      const first = this.#peek();
      const after = this.#peek(1);
      if (first.text === '*' || [';', '}', '.'].includes(after.text) || after.kind === 'string') {
        const type = this.#type();
        const named = type.kind === 'pointer' ? type.elem : type;
        const name = named.kind === 'name' ? named.name : '';
        fields.push({ name, embedded: true, type, tag: this.#tag() });
        continue;
      }
      const names = [this.#ident().text];
      while (this.#accept(',')) names.push(this.#ident().text);
      const type = this.#type();
      const tag = this.#tag();
      for (const name of names) fields.push({ name, embedded: false, type, tag });
    }
    return fields;
  }

  #tag(): string {
    const token = this.#peek();
    if (token.kind !== 'string') return '';
    this.#next();
    if (token.text.startsWith('`')) return token.text.slice(1, -1);
    try {
      return JSON.parse(token.text) as string;
    } catch {
      return this.#fail(token, `cannot read the struct tag ${token.text}`);
    }
  }

  #startsType(token: GoToken): boolean {
    return token.kind === 'ident' || TYPE_STARTS.has(token.text);
  }

  /** Skips to the end of a statement: the ';' outside any brackets. */
  #skipStatement(): void {
    while (this.#at < this.tokens.length && this.#peek().text !== ';') {
      if (this.#peek().text in OPENERS) this.#skipBalanced();
      else this.#next();
    }
  }

  /** Skips an opening bracket and everything to its partner. */
  #skipBalanced(): void {
    const open = this.#next();
    const closers = [OPENERS[open.text]];
    if (closers[0] === undefined) this.#fail(open, `expected a bracket, found "${open.text}"`);
    while (closers.length > 0) {
      const token = this.#next();
      if (token.text in OPENERS) closers.push(OPENERS[token.text]);
      else if (token.text === closers.at(-1)) closers.pop();
    }
  }

  #ident(): GoToken {
    const token = this.#next();
    if (token.kind !== 'ident') this.#fail(token, `expected a name, found "${token.text}"`);
    return token;
  }

  #expect(text: string): void {
    const token = this.#next();
    if (token.text !== text) this.#fail(token, `expected "${text}", found "${token.text}"`);
  }

  #accept(text: string): boolean {
    if (this.#peek().text !== text) return false;
    this.#at++;
    return true;
  }

  #peek(ahead = 0): GoToken {
    return this.tokens[this.#at + ahead] ?? { kind: 'op', text: '', line: this.tokens.at(-1)?.line ?? 1 };
  }

  #next(): GoToken {
    const token = this.#peek();
    if (this.#at >= this.tokens.length) this.#fail(token, 'unexpected end of file');
    this.#at++;
    return token;
  }

  #where(token: GoToken): string {
    return `${this.file}:${token.line}`;
  }

  #fail(token: GoToken, what: string): never {
    throw new GoTypesError(`${this.#where(token)}: ${what}`);
  }
}
