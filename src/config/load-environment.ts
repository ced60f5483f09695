import { existsSync } from 'node:fs';
import { validateEnvironment } from './env.validation';

/**
 * Reads `.env` (values already in the environment win) and validates the result before any module is
 * loaded, so that a bad value stops the process with exactly one line naming the variable.
 */
export function loadEnvironmentOrExit(): void {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    validateEnvironment(process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
