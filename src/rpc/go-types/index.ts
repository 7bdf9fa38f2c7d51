export { GoTypesError, GoValueError } from './errors.ts';
export { type GoMethodTypes, goMethodTypes, loadGoMethodTypes, toGoArgs } from './go-method.ts';
export { goJsonText } from './go-to-json.ts';
export { parseJsonKeepingIntegers } from './parse-json.ts';
