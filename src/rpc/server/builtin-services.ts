import { MAX_TIMER_MS, secondsToMs } from '../../util/units.ts';
import type { CallContext } from './service.ts';

export interface SumArgs {
  Num1: number;
  Num2: number;
}

/** GeeRPC's example service, so that a Go GeeRPC client has something to call. */
export class Foo {
  Sum(args: SumArgs): number {
    return args.Num1 + args.Num2;
  }

  /** Answers the sum after `Num1` seconds, unless the call is aborted first. */
  Sleep(args: SumArgs, ctx: CallContext): Promise<number> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(ctx.signal.reason);
      };
      const timer = setTimeout(
        () => {
          ctx.signal.removeEventListener('abort', onAbort);
          resolve(args.Num1 + args.Num2);
        },
        Math.min(secondsToMs(args.Num1), MAX_TIMER_MS),
      );
      ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** The service benchmarks call: it does no work of its own. */
export class Bench {
  Echo(args: unknown): unknown {
    return args;
  }
}
