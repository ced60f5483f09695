import { defineErrors } from '../common/problem';

export const EventErrors = defineErrors({
  INVALID_CURSOR: [400, 'The cursor is not one this feed handed out'],
});
