/**
 * The reply's error text for whatever a handler threw or rejected with. Never empty, since an
 * empty Error means success on the wire, and never throwing: `String()` fails on an object
 * without a prototype, and a getter or a Proxy may throw too.
 */
export function errorText(error: unknown): string {
  let text: unknown;
  try {
    if (typeof error === 'string') text = error;
    else if (error instanceof Error) text = error.message || error.name;
    else if (error !== null && error !== undefined) text = String(error);
  } catch {
    text = undefined;
  }
  if (typeof text === 'string' && text !== '') return text;
  return `rpc server: handler failed: ${typeOf(error)}`;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  try {
    if (value instanceof Error) return 'Error';
  } catch {
    // A revoked Proxy throws even here.
  }
  return typeof value;
}
