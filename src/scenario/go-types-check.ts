import { resolve } from 'node:path';
import { GoTypesError, GoValueError } from '../rpc/go-types/errors.ts';
import { loadGoMethodTypes, toGoArgs } from '../rpc/go-types/go-method.ts';
import { ScenarioError } from './errors.ts';
import { scenarioBase } from './phase-rpc-setup.ts';
import type { LoadedScenario } from './scenario-loader.ts';

/**
 * Reads the scenario's goTypes and converts its plain arguments once, so that a method the Go
 * source lacks or an argument that does not fit its Go type stops the run before any call.
 * Arguments from an argsFile or an args function are converted, and checked, as they are made.
 */
export function checkGoTypes(loaded: LoadedScenario): void {
  const { scenario, file } = loaded;
  if (scenario.goTypes === undefined || scenario.call === undefined) return;
  let field = 'goTypes';
  try {
    const method = loadGoMethodTypes(resolve(scenarioBase(file), scenario.goTypes), scenario.call.method);
    field = 'call.args';
    const { args, argsFile } = scenario.call;
    if (argsFile === undefined && typeof args !== 'function') toGoArgs(args, method);
  } catch (error) {
    if (error instanceof GoTypesError || error instanceof GoValueError) {
      throw new ScenarioError(file, field, error.message, { cause: error });
    }
    throw error;
  }
}
