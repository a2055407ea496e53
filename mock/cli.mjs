// The mock's command line: `node mock/server.mjs [options]`. Prints
// `MOCK_URL=http://127.0.0.1:<port>` once listening; SIGINT or SIGTERM stops it.
import { parseArgs } from 'node:util';
import { DEFAULT_API_KEY } from './state.mjs';

const USAGE = `Usage: node mock/server.mjs [options]
  --port N          port to listen on (default 0: a free port)
  --host HOST       127.0.0.1 or localhost (default 127.0.0.1)
  --api-key KEY     accepted API key (default ${DEFAULT_API_KEY})
  --static DIR      also serve static files from DIR
  --pkg DIR         with --static: serve /pkg/... from DIR
  --rate-limit N    answer 429 past N API requests per second
  --verbose         log requests to stderr
Prints MOCK_URL=http://127.0.0.1:<port> once listening.`;


/** Runs the server from `argv`; `start` is `startMockServer` (passed in, so no import cycle). */
export async function main(argv, start) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'api-key': { type: 'string' },
        static: { type: 'string' },
        pkg: { type: 'string' },
        'rate-limit': { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  let mock;
  try {
    mock = await start({
      port: values.port === undefined ? 0 : Number(values.port),
      host: values.host ?? '127.0.0.1',
      apiKey: values['api-key'] ?? DEFAULT_API_KEY,
      log: Boolean(values.verbose),
      staticDir: values.static ?? null,
      pkgDir: values.pkg ?? null,
      rateLimitPerSecond: values['rate-limit'] === undefined ? null : Number(values['rate-limit']),
    });
  } catch (err) {
    process.stderr.write(`mock server: ${err.message}\n`);
    process.exit(2);
  }
  process.stdout.write(`MOCK_URL=${mock.url}\n`);

  const stop = async () => {
    setTimeout(() => process.exit(0), 2000).unref(); // never linger on shutdown
    await mock.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
