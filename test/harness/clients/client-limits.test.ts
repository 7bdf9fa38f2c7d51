// A scenario's client limits, from its file and from the command line, reach every phase's set-up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { phaseRpcSetup } from '../../../src/harness/clients/phase-clients.ts';
import { applyOverrides } from '../../../src/scenario/overrides.ts';
import { planPhases } from '../../../src/scenario/phase-plan.ts';
import { validateScenario } from '../../../src/scenario/scenario-loader.ts';

const FILE = 'limits.ts';
const TARGET = {
  name: 'limits',
  target: { addresses: ['tcp@127.0.0.1:9999'] },
  call: { method: 'Foo.Sum', args: { Num1: 1, Num2: 2 } },
};

function limitsOf(scenario: ReturnType<typeof validateScenario>) {
  return phaseRpcSetup(scenario, planPhases(scenario)[0]!, FILE).clientLimits;
}

test('without limits in the scenario, the clients keep their defaults', () => {
  assert.deepEqual(limitsOf(validateScenario(TARGET, FILE)), {});
});

test("the command line replaces maxUnsolicitedReplies and the gob limits it gives, keeping the scenario's others", () => {
  const scenario = validateScenario(
    { ...TARGET, maxUnsolicitedReplies: 5, gobBudget: { maxTypes: 8, maxTypeFields: 64 } },
    FILE,
  );
  assert.deepEqual(limitsOf(scenario), {
    maxUnsolicitedReplies: 5,
    gobBudget: { maxTypes: 8, maxTypeFields: 64 },
  });
  const overridden = applyOverrides(
    { file: FILE, scenario },
    { maxUnsolicitedReplies: 0, gobBudget: { maxTypes: 2, elementAllowance: 100 } },
  );
  assert.deepEqual(limitsOf(overridden.scenario), {
    maxUnsolicitedReplies: 0,
    gobBudget: { maxTypes: 2, maxTypeFields: 64, elementAllowance: 100 },
  });
});
