/**
 * The HTTP transport only ever exchanges one request head and one response head before the
 * socket turns into an RPC stream, so it reads them itself: Node's HTTP parser rejects the
 * bare-LF `CONNECT /_geerpc_ HTTP/1.0` that Go's GeeRPC client sends.
 */
export const MAX_HTTP_HEAD_BYTES = 8192;

/** The offset just past the blank line that ends an HTTP head (LF or CRLF), or -1. */
export function findHeadEnd(buffer: Buffer): number {
  let newline = buffer.indexOf(0x0a);
  while (newline !== -1) {
    const next = buffer[newline + 1];
    if (next === 0x0a) return newline + 2;
    if (next === 0x0d && buffer[newline + 2] === 0x0a) return newline + 3;
    newline = buffer.indexOf(0x0a, newline + 1);
  }
  return -1;
}

/** The head's first line without its line ending. */
export function startLine(head: Buffer): string {
  const newline = head.indexOf(0x0a);
  return head.toString('latin1', 0, newline === -1 ? head.length : newline).replace(/\r$/, '');
}

export function httpResponse(status: string, contentType: string, body: string): Buffer {
  const bytes = Buffer.from(body);
  return Buffer.concat([
    Buffer.from(
      `HTTP/1.0 ${status}\r\nContent-Type: ${contentType}\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`,
    ),
    bytes,
  ]);
}
