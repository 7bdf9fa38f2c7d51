import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';

const ROOT = new URL('..', import.meta.url).pathname;
const DOCS = join(ROOT, 'docs');
const PAGES = [
  join(ROOT, 'README.md'),
  ...readdirSync(DOCS)
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(DOCS, name)),
];

/** The lines of a Markdown file outside fenced code blocks, with inline code blanked out. */
function proseLines(text: string): string[] {
  let fenced = false;
  return text.split('\n').flatMap((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return [];
    }
    return fenced ? [] : [line.replace(/`[^`]*`/g, '``')];
  });
}

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens. */
function githubSlug(heading: string): string {
  return heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a page offers; a repeated heading gets -1, -2, … as on GitHub. */
function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of proseLines(readFileSync(file, 'utf8'))) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = githubSlug(heading[1]!);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The relative link targets of a page: `[text](target)`, outside code. */
function linksOf(file: string): string[] {
  const text = proseLines(readFileSync(file, 'utf8')).join('\n');
  return [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  for (const target of linksOf(file)) {
    const [path, anchor] = target.split('#') as [string, string | undefined];
    const destination = path === '' ? file : join(dirname(file), decodeURIComponent(path));
    const where = `${relative(ROOT, file)}: ${target}`;
    if (!existsSync(destination)) broken.push(`${where} (no such file)`);
    else if (anchor !== undefined && !anchorsOf(destination).has(decodeURIComponent(anchor).toLowerCase())) {
      broken.push(`${where} (no such heading)`);
    }
  }
  return broken;
}

test('every relative link and #anchor in README.md and docs/*.md resolves', () => {
  assert.deepEqual(PAGES.flatMap(brokenLinks), []);
});

test('the README links every page of docs/', () => {
  const linked = new Set(linksOf(join(ROOT, 'README.md')).map((target) => target.split('#')[0]));
  const unlinked = PAGES.filter((page) => page.startsWith(DOCS))
    .map((page) => relative(ROOT, page))
    .filter((page) => !linked.has(page));
  assert.deepEqual(unlinked, []);
});

test('the checker reads links and anchors as GitHub does', () => {
  // Guards the checker: a pattern that matched nothing would pass every check above.
  assert.equal(githubSlug('Live metrics (Prometheus)'), 'live-metrics-prometheus');
  assert.equal(githubSlug('Gate your own service'), 'gate-your-own-service');
  assert.equal(githubSlug('`--target` and `npm run call`: a/b'), '--target-and-npm-run-call-ab');
  assert.ok(anchorsOf(join(DOCS, 'reports.md')).has('live-metrics-prometheus'));
  assert.ok(
    !anchorsOf(join(DOCS, 'distributed.md')).has('an-etcd-every-host-can-reach-or-an-existing-cluster'),
  );
  const links = PAGES.flatMap(linksOf);
  assert.ok(links.length >= 20, `${links.length} links`);
  assert.ok(links.some((target) => target.includes('#')));
});
