import { Injectable, PipeTransform } from '@nestjs/common';
import { CommonErrors } from './common.errors';
import { MAX_ID } from './limits';
import { problem } from './problem';

/** Path ids are positive integers: `abc`, `0`, `-1`, `1.5` and out-of-range values are 400. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (!/^[1-9]\d{0,9}$/.test(value) || Number(value) > MAX_ID) {
      throw problem(CommonErrors.INVALID_ID, `"${String(value).slice(0, 40)}" is not a valid id: expected a positive integer`);
    }
    return Number(value);
  }
}
