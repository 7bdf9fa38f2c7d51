import { defineScenario } from 'rpcbench';

/**
 * The call the duet gate compares: GeeRPC's Bench.Echo of the Go peer in this repository. Put
 * your own service's method, arguments and check here. The addresses are given by the gate's
 * --target and --baseline-target.
 */
export default defineScenario({
  name: 'go-service-duet',
  target: { addresses: ['tcp@127.0.0.1:19002'] },
  codec: 'gob',
  call: {
    method: 'Bench.Echo',
    args: 'hello',
    check: (reply: unknown) => reply === 'hello' || `reply ${String(reply).slice(0, 40)}`,
  },
  load: { model: 'closed', concurrency: 8 },
});
