/**
 * The dashboard's copy of the /live message types (dashboards/live/src/types.mts, built for the
 * browser without Node types) must stay compatible with the server's (src/live/protocol.ts). The
 * checks below are compile-time: `npm run build` fails when the server sends something the
 * dashboard's types do not describe, or the dashboard sends a filter the server does not know.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../helpers/cli.js';
import type * as Server from '../../../src/live/protocol.js';
import type * as Page from '../../../dashboards/live/src/types.mjs';
import { FILTER_KEYS, STATUS_CLASSES, TOPK_DIMENSIONS } from '../../../src/live/protocol.js';

type Assignable<From, To> = [From] extends [To] ? true : false;
const serverToPage: Assignable<Server.ServerMsg, Page.ServerMsg> = true;
const secondToPage: Assignable<Server.LiveSecond, Page.LiveSecond> = true;
const filterToServer: Assignable<Page.LiveFilter, Server.LiveFilter> = true;
const tailToPage: Assignable<Server.TailEvent, Page.TailEvent> = true;

test('dashboard message types are compatible with the server protocol (checked by tsc)', async () => {
  assert.deepEqual([serverToPage, secondToPage, filterToServer, tailToPage], [true, true, true, true]);
  // The constant lists are duplicated too: compare them at run time, in the browser build's output.
  const page = (await import(pathToFileURL(join(repoRoot(), 'dist', 'dashboards', 'live', 'types.mjs')).href)) as typeof Page;
  assert.deepEqual(page.STATUS_CLASSES, STATUS_CLASSES);
  assert.deepEqual(page.TOPK_DIMENSIONS, TOPK_DIMENSIONS);
  assert.deepEqual(page.FILTER_KEYS, FILTER_KEYS);
});
