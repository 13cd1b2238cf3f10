/** Every transform type edgetail knows (the config registry reads this list). */
import type { TransformDef } from '../core/component.js';
import { aggregate } from './aggregate.js';
import { classify } from './classify/index.js';
import { extract } from './extract.js';
import { filter } from './filter.js';
import { ipMatch } from './ip_match/index.js';
import { redact } from './redact.js';
import { remap } from './remap.js';
import { route } from './route.js';
import { sample } from './sample.js';

export const transformDefs: TransformDef[] = [filter, route, sample, redact, extract, classify, remap, ipMatch, aggregate];

export { aggregate, classify, extract, filter, ipMatch, redact, remap, route, sample };
export { USER_AGENT_RULES } from './classify/index.js';
