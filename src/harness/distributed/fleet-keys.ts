import type { Etcd3 } from 'etcd3';

/** Where load hosts register and runs are coordinated, unless told otherwise. */
export const DEFAULT_AGENTS_PREFIX = '/rpcbench/agents/';
/** etcd refuses requests over 1.5 MiB by default: shares are written in pieces well under that. */
export const CHUNK_CHARS = 1024 * 1024;

/** What a load host says of itself when it registers (under its lease). */
export interface AgentInfo {
  name: string;
  host: string;
  cores: number;
  node: string;
  /** The rpcbench commit it runs, or null outside a git checkout. */
  commit: string | null;
  /** Load threads it runs, or null: the scenario's loadThreads. */
  threads: number | null;
}

/** The key layout, in one place: every party builds its keys here. */
export class FleetKeys {
  constructor(readonly prefix: string) {}

  hosts(): string {
    return `${this.prefix}hosts/`;
  }
  host(name: string): string {
    return `${this.hosts()}${name}`;
  }
  /** A coordinator holds a host for its run by creating this key under its own lease. */
  claim(name: string): string {
    return `${this.prefix}claims/${name}`;
  }
  runs(): string {
    return `${this.prefix}runs/`;
  }
  run(runId: string): string {
    return `${this.runs()}${runId}/`;
  }
  phase(runId: string, phase: number): string {
    return `${this.run(runId)}${phase}/`;
  }
  /** Parses a key under runs/: its run, phase and what follows (plan, go, stop, warmed/a1, ...). */
  parse(key: string): { runId: string; phase: number; rest: string } | undefined {
    if (!key.startsWith(this.runs())) return undefined;
    const match = /^([^/]+)\/(\d+)\/(.+)$/.exec(key.slice(this.runs().length));
    return match === null ? undefined : { runId: match[1]!, phase: Number(match[2]), rest: match[3]! };
  }
}

/** Writes `value` as JSON in pieces `<key>/0`, `<key>/1`, ...; returns their number. */
export async function putChunked(client: Etcd3, key: string, value: unknown): Promise<number> {
  const text = JSON.stringify(value);
  const chunks = Math.max(1, Math.ceil(text.length / CHUNK_CHARS));
  for (let index = 0; index < chunks; index++) {
    await client.put(`${key}/${index}`).value(text.slice(index * CHUNK_CHARS, (index + 1) * CHUNK_CHARS));
  }
  return chunks;
}

/** The text putChunked wrote, joined; undefined when a piece is missing. */
export async function getChunked(client: Etcd3, key: string, chunks: number): Promise<string | undefined> {
  const parts: string[] = [];
  for (let index = 0; index < chunks; index++) {
    const part = await client.get(`${key}/${index}`).string();
    if (part === null) return undefined;
    parts.push(part);
  }
  return parts.join('');
}
