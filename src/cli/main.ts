/** The edgetail command line (commander). */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '../core/errors.js';
import { loadConfigFiles, parseConfigText } from '../config/load.js';
import { createLogger } from '../telemetry/logger.js';
import { EX_CONFIG, formatProblems, runValidate } from './validate.js';
import { startInstance, stopOnSignals } from './instance.js';
import type { RawConfig } from '../config/load.js';
// The other subcommands (demo, generate, tap, backfill) import their modules when they run: `run`
// must not pay for ws (tap), cli-progress (backfill) or the demo's classify rules.

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

async function runRaw(raw: RawConfig, apiAddress?: string): Promise<number> {
  const logger = createLogger();
  try {
    const instance = await startInstance(raw, logger, apiAddress ? { apiAddress } : {});
    return await new Promise<number>((resolveExit) => stopOnSignals(instance, logger, resolveExit));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`configuration is invalid:\n${formatProblems(err.problems)}\n`);
      return EX_CONFIG;
    }
    throw err;
  }
}

export async function main(argv: string[]): Promise<void> {
  // The AWS SDK prints a multi-line Node-version notice on stderr whenever a client is created; our
  // logs are structured JSON, so keep stderr clean (users can still set the variable themselves).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const program = new Command();
  program.name('edgetail').description('Real-time observability pipeline for CDN edge traffic').showHelpAfterError();

  program
    .command('run')
    .description('run a pipeline (agent or collector: the config decides)')
    .requiredOption('-c, --config <files...>', 'YAML or JSON config file(s); several are merged')
    .action(async (opts: { config: string[] }) => {
      process.exitCode = await runRaw(loadConfigFiles(opts.config));
    });

  program
    .command('validate')
    .description('check config schema and graph; exit 0 when valid, 78 with every problem listed otherwise')
    .requiredOption('-c, --config <files...>', 'YAML or JSON config file(s)')
    .action(async (opts: { config: string[] }) => {
      process.exitCode = await runValidate(opts.config, process.stdout, process.stderr);
    });

  program
    .command('demo')
    .description('the embedded default: cutover traffic generator → pipeline → local sinks + dashboard')
    .option('-p, --port <port>', 'API/dashboard port', positiveInt, 8686)
    .option('--data-dir <dir>', 'where the demo writes its sinks and state', './data/demo')
    .action(async (opts: { port: number; dataDir: string }) => {
      const dataDir = resolve(opts.dataDir);
      mkdirSync(dataDir, { recursive: true });
      const { demoConfig } = await import('./demo-config.js');
      const text = demoConfig({ port: opts.port, dataDir });
      process.stderr.write(`edgetail demo: dashboard on http://127.0.0.1:${opts.port}/ — data in ${dataDir} — Ctrl-C to stop\n`);
      process.exitCode = await runRaw(parseConfigText(text, 'demo'));
    });

  program
    .command('generate')
    .description('write synthetic cutover-scenario logs to stdout')
    .option('--scenario <name>', 'scenario', 'cutover')
    .option('--format <format>', 'fastly_json | gcs_usage | combined', 'fastly_json')
    .requiredOption('--lines <n>', 'number of lines', positiveInt)
    .option('--seed <n>', 'PRNG seed', positiveInt, 1)
    .action(async (opts: { scenario: string; format: string; lines: number; seed: number }) => {
      if (opts.scenario !== 'cutover') throw new InvalidArgumentError(`unknown scenario "${opts.scenario}" (known: cutover)`);
      if (!['fastly_json', 'gcs_usage', 'combined'].includes(opts.format)) throw new InvalidArgumentError(`unknown format "${opts.format}" (fastly_json, gcs_usage, combined)`);
      const { runGenerate } = await import('./generate.js');
      await runGenerate({ scenario: 'cutover', format: opts.format as 'fastly_json', lines: opts.lines, seed: opts.seed }, process.stdout);
    });

  program
    .command('tap')
    .description("print a running instance's live per-second rollups and sampled events (its /live feed) until Ctrl-C")
    .option('--url <url>', 'the /live WebSocket URL', 'ws://127.0.0.1:8686/live')
    .option('--filter <expr>', 'only events matching this condition, e.g. \'pop == "IAD" && status >= 500\'')
    .option('--token <token>', 'api.auth_token of the instance (default: $EDGETAIL_TOKEN)')
    .option('--no-tail', 'rollup lines only, no sampled events')
    .action(async (opts: { url: string; filter?: string; token?: string; tail: boolean }) => {
      const { runTap } = await import('./tap.js');
      const ac = new AbortController();
      const onSignal = (): void => ac.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      process.exitCode = await runTap({ url: opts.url, filter: opts.filter, token: opts.token ?? process.env.EDGETAIL_TOKEN, tail: opts.tail }, process.stdout, process.stderr, ac.signal);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });

  program
    .command('backfill')
    .description('push archived log files (plain or .gz) through the configured pipeline once; exit 0 when every sink acknowledged everything')
    .argument('[paths...]', 'archived files (dead-letter mode: dead-letter files; default: every file of the sinks)')
    // Not variadic (it would swallow the paths): repeat --config to merge several files.
    .requiredOption('-c, --config <file>', 'YAML or JSON config file of the pipeline (repeat to merge several)', collect, [] as string[])
    .option('--source <id>', 'the config source the files stand in for (default: the only source, else the only file source)')
    .option('--format <name>', "line format (default: the replaced source's format)")
    .option('--dead-letter', "replay dead letters (data_dir/dead_letter/<sink>/) into their sink instead")
    .option('--sink <ids...>', 'dead-letter mode: only these sinks')
    .option('--data-dir <dir>', "override the config's data_dir (buffers, dead letters)")
    .option('--timeout <secs>', 'wait at most this long for the sinks once the input is read (0 = no limit)', positiveInt, 0)
    .option('--progress-interval <secs>', 'seconds between progress lines when stderr is not a TTY', positiveInt, 10)
    .action(async (paths: string[], opts: { config: string[]; source?: string; format?: string; deadLetter?: boolean; sink?: string[]; dataDir?: string; timeout: number; progressInterval: number }) => {
      const { runBackfill } = await import('./backfill.js');
      const ac = new AbortController();
      let signals = 0;
      const onSignal = (): void => {
        if (++signals > 1) process.exit(130);
        process.stderr.write('backfill: interrupted; draining (again to exit at once)\n');
        ac.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      process.exitCode = await runBackfill(
        {
          config: opts.config,
          paths,
          source: opts.source,
          format: opts.format,
          deadLetter: opts.deadLetter === true,
          sinks: opts.sink,
          dataDir: opts.dataDir,
          timeoutSecs: opts.timeout,
          progressIntervalSecs: Math.max(1, opts.progressInterval),
        },
        { stdout: process.stdout, stderr: process.stderr, tty: process.stderr.isTTY === true, signal: ac.signal },
        createLogger(),
      );
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });

  await program.parseAsync(argv);
}
