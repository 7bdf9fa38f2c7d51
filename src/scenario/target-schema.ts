import { z } from 'zod';
import { parseAddress } from '../rpc/address.ts';
import { isRpcError } from '../util/errors.ts';

/** Limits that keep a typo from asking for something the machine cannot do. */
export const MAX_TARGET_ADDRESSES = 1_000;
const MAX_ETCD_ENDPOINTS = 16;

/** `Service.Method`, as GeeRPC splits it at its last dot. */
const SERVICE_METHOD = /^[A-Za-z_]\w*\.[A-Za-z_]\w*$/;

const address = z
  .string({ error: 'must be an address such as tcp@127.0.0.1:9999' })
  .superRefine((text, ctx) => {
    try {
      parseAddress(text);
    } catch (error) {
      if (!isRpcError(error)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  });

const httpUrl = (what: string) =>
  z.string({ error: `must be ${what}` }).refine(
    (text) => {
      try {
        const url = new URL(text);
        return url.protocol === 'http:' || url.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { error: `must be ${what}` },
  );

export const etcdTargetSchema = z.strictObject({
  endpoints: z
    .union([httpUrl('an http:// URL'), z.array(httpUrl('an http:// URL')).min(1).max(MAX_ETCD_ENDPOINTS)], {
      error: 'must be an http:// URL or a list of them',
    })
    .transform((value) => (Array.isArray(value) ? value : [value])),
  /** Where the servers register, as `registerWithEtcd` and EtcdDiscovery use it. @default '/rpcbench/servers/' */
  prefix: z.string({ error: 'must be a key prefix such as /rpcbench/servers/' }).optional(),
});

/**
 * External servers to load-test, found by address, through a GeeRPC registry or through etcd.
 * Exactly one of `addresses`, `registry` and `etcd`.
 */
export const targetSchema = z
  .strictObject({
    addresses: z
      .array(address, { error: 'must be a list of addresses such as tcp@127.0.0.1:9999' })
      .min(1, { error: 'must list at least one address' })
      .max(MAX_TARGET_ADDRESSES, { error: `must list at most ${MAX_TARGET_ADDRESSES} addresses` })
      .optional(),
    /** GeeRPC's HTTP registry, e.g. http://127.0.0.1:9999/_geerpc_/registry (rpcbench's or Go's). */
    registry: httpUrl('the registry URL, such as http://127.0.0.1:9999/_geerpc_/registry').optional(),
    etcd: etcdTargetSchema.optional(),
    /** The CONNECT path of `http@` addresses. @default '/_geeprc_', which Go GeeRPC and rpcbench both serve */
    httpPath: z
      .string({ error: 'must be a path such as /_geeprc_' })
      .regex(/^\/[\x21-\x7e]*$/, { error: 'must be a path starting with "/"' })
      .optional(),
    /**
     * Where each server's GeeRPC debug page is, by address, for servers that are not `http@` (whose page
     * is found on the same port): the server-side call counts are read from it.
     */
    debugUrls: z.record(z.string(), httpUrl('an http:// URL of a debug page')).default({}),
  })
  .superRefine((target, ctx) => {
    const given = (['addresses', 'registry', 'etcd'] as const).filter((key) => target[key] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          given.length === 0
            ? 'needs one of addresses, registry or etcd'
            : `gives ${given.join(' and ')}: choose one of addresses, registry or etcd`,
      });
    }
  });

/** Arguments made per call: i counts the calls of one load thread, random is the scenario's seeded generator. */
export type ArgsFunction = (i: number, random: () => number) => unknown;
/** true, or false or a message when the reply is wrong: such a call counts as an ERR_CHECK error. */
export type CheckFunction = (reply: unknown, args: unknown) => boolean | string;

const fn = <T>(what: string) =>
  z.custom<T>((value) => typeof value === 'function', { error: `must be a function ${what}` });

/** What every call of the load sends: the method, its arguments, and how to check the reply. */
export const callSchema = z
  .strictObject({
    method: z
      .string({ error: 'must be a Service.Method name such as Foo.Sum' })
      .regex(SERVICE_METHOD, { error: 'must be a Service.Method name such as Foo.Sum' }),
    /** The arguments of every call, or a function making each call's. */
    args: z.custom<ArgsFunction | object | string | number | boolean | bigint | null>(() => true).optional(),
    /** A file of JSON values, one per line, used in turn; relative to the scenario file. */
    argsFile: z.string({ error: 'must be a file path' }).min(1, { error: 'must be a file path' }).optional(),
    check: fn<CheckFunction>('(reply, args) => boolean | string').optional(),
  })
  .superRefine((call, ctx) => {
    if (call.args !== undefined && call.argsFile !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['argsFile'], message: 'give args or argsFile, not both' });
    }
  });

/** The user's service module registered in every simulated server: a path, or a path and a service name. */
export const serviceModuleSchema = z
  .union(
    [
      z.string().min(1),
      z.strictObject({
        module: z.string().min(1),
        name: z
          .string()
          .regex(/^[A-Za-z_]\w*$/)
          .optional(),
      }),
    ],
    { error: "must be a module path such as './services/kv.ts', or { module, name }" },
  )
  .transform((value) => (typeof value === 'string' ? { module: value } : value));

export type TargetConfig = z.output<typeof targetSchema>;
