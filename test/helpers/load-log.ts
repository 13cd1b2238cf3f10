/**
 * `node --import <this file, compiled>`: records every module URL the ESM loader loads (file: URLs,
 * one a line) in the file named by EDGETAIL_LOAD_LOG. Tests use it to check what a command imports.
 * CommonJS packages show up by their entry point (what an ES module imports); their own require()s do not.
 */
import { register } from 'node:module';

register(new URL('./load-log-hooks.js', import.meta.url));
