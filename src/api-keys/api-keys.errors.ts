import { defineErrors } from '../common/problem';

export const ApiKeyErrors = defineErrors({
  API_KEY_NOT_FOUND: [404, 'No such API key'],
});
