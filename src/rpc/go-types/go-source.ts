import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GoTypesError } from './errors.ts';
import { emptyGoDeclarations, type GoDeclarations, readGoDeclarations } from './go-declarations.ts';

/** The most Go source read for one --go-types: a service's declarations, not a whole module. */
export const MAX_GO_SOURCE_BYTES = 16 * 1024 * 1024;

/**
 * The declarations of a Go file, or of every .go file of a directory (its package), test files
 * left out as the Go tool does.
 */
export function loadGoDeclarations(path: string): GoDeclarations {
  let files: string[];
  try {
    files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((name) => name.endsWith('.go') && !name.endsWith('_test.go'))
          .sort()
          .map((name) => join(path, name))
      : [path];
  } catch (error) {
    throw new GoTypesError(`Go types ${path}: cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (files.length === 0) throw new GoTypesError(`Go types ${path}: the directory holds no .go file`);
  const declarations = emptyGoDeclarations();
  let bytes = 0;
  for (const file of files) {
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch (error) {
      throw new GoTypesError(`Go types ${file}: cannot be read: ${(error as Error).message}`, {
        cause: error,
      });
    }
    bytes += source.length;
    if (bytes > MAX_GO_SOURCE_BYTES) {
      throw new GoTypesError(`Go types ${path}: more than ${MAX_GO_SOURCE_BYTES} bytes of Go source`);
    }
    readGoDeclarations(source, file, declarations);
  }
  return declarations;
}
