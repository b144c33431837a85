/** Lambda entry point: the pipeline from ./app, configured by the environment the stack sets. */
import { createHandler } from './app';
import { fromFunctionEnvironment } from './config';

export const handler = createHandler(fromFunctionEnvironment(process.env));
