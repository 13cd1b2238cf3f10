/** kafkajs → edgetail logger bridge (used by the kafka source and the kafka sink). */
import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '../../core/component.js';

/** A kafkajs logCreator writing into `logger` (kafkajs INFO is chatty: it goes to debug). */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () => (entry) => {
    const { message, ...rest } = entry.log;
    const obj = { ...rest, kafkajs_ns: entry.namespace };
    if (entry.level === logLevel.ERROR) logger.error(obj, message);
    else if (entry.level === logLevel.WARN) logger.warn(obj, message);
    else logger.debug(obj, message);
  };
}
