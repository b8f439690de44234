'use strict';
// Runs the compatibility scenarios with Temporal's TypeScript SDK against a server.
//
//   node run.js <host:port> <namespace> <task-queue> [scenario,scenario,...]
//
// One worker (workflows.js, activities.js) and one client share the process. Each
// scenario prints one JSON line on stdout:
//   {"scenario": "...", "ok": true|false, "result": ..., "error": "...", "histories": {...}}
// followed by a final {"done": true, "passed": n, "failed": m} line. Logs go to
// stderr; SUNDIAL_TS_LOG (TRACE|DEBUG|INFO|WARN|ERROR, default WARN) sets the level
// of both the SDK and its Rust core. The exit code is non-zero if any scenario failed.
// SUNDIAL_TS_TLS_CA (a PEM file) turns TLS on for both connections, verifying the
// server with that CA and SUNDIAL_TS_TLS_SERVER_NAME; SUNDIAL_TS_TLS_CERT and
// SUNDIAL_TS_TLS_KEY add a client certificate (mutual TLS).

const fs = require('fs');
const { Connection, Client } = require('@temporalio/client');
const { DefaultLogger, NativeConnection, Runtime, Worker, makeTelemetryFilterString } = require('@temporalio/worker');
const activities = require('./activities');
const { scenarios } = require('./scenarios');

const scenarioTimeoutMs = 30000;

function parseArgs(argv) {
  const [address, namespace, taskQueue, only] = argv;
  if (!address || !namespace || !taskQueue) {
    throw new Error('usage: node run.js <host:port> <namespace> <task-queue> [scenario,...]');
  }
  const selected = only ? new Set(only.split(',')) : null;
  return { address, namespace, taskQueue, selected };
}

function installRuntime() {
  const level = (process.env.SUNDIAL_TS_LOG || 'WARN').toUpperCase();
  Runtime.install({
    logger: new DefaultLogger(level),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: level, other: level }), forward: {} },
    },
  });
}

// withTimeout rejects when promise has not settled within ms.
function withTimeout(promise, ms, what) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms}ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

function describeError(err) {
  if (!(err instanceof Error)) {
    return String(err);
  }
  let text = err.stack || `${err.name}: ${err.message}`;
  for (let cause = err.cause; cause; cause = cause.cause) {
    text += `\ncaused by: ${cause.stack || cause}`;
  }
  return text;
}

async function runScenarios(env, selected) {
  let passed = 0;
  let failed = 0;
  for (const scenario of scenarios) {
    if (selected && !selected.has(scenario.name)) {
      continue;
    }
    const began = Date.now();
    const line = { scenario: scenario.name };
    try {
      const { result, histories } = await withTimeout(scenario.run(env), scenarioTimeoutMs, scenario.name);
      Object.assign(line, { ok: true, result, histories });
      passed++;
    } catch (err) {
      Object.assign(line, { ok: false, error: describeError(err) });
      failed++;
    }
    line.millis = Date.now() - began;
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
  return { passed, failed };
}

// tlsFromEnv is the connections' TLS configuration from SUNDIAL_TS_TLS_*, or
// undefined (plaintext) when SUNDIAL_TS_TLS_CA is not set.
function tlsFromEnv() {
  const env = process.env;
  if (!env.SUNDIAL_TS_TLS_CA) {
    return undefined;
  }
  const tls = {
    serverRootCACertificate: fs.readFileSync(env.SUNDIAL_TS_TLS_CA),
    serverNameOverride: env.SUNDIAL_TS_TLS_SERVER_NAME || undefined,
  };
  if (env.SUNDIAL_TS_TLS_CERT) {
    tls.clientCertPair = { crt: fs.readFileSync(env.SUNDIAL_TS_TLS_CERT), key: fs.readFileSync(env.SUNDIAL_TS_TLS_KEY) };
  }
  return tls;
}

async function main() {
  const { address, namespace, taskQueue, selected } = parseArgs(process.argv.slice(2));
  installRuntime();

  const tls = tlsFromEnv();
  const workerConnection = await NativeConnection.connect({ address, tls });
  const clientConnection = await Connection.connect({ address, tls });
  try {
    const worker = await Worker.create({
      connection: workerConnection,
      namespace,
      taskQueue,
      workflowsPath: require.resolve('./workflows'),
      activities,
      // Heartbeats carry cancellation back to the activity; send them promptly.
      maxHeartbeatThrottleInterval: '200ms',
      defaultHeartbeatThrottleInterval: '200ms',
    });
    const client = new Client({ connection: clientConnection, namespace });
    const env = { client, taskQueue, prefix: `ts-${taskQueue}` };
    const summary = await worker.runUntil(runScenarios(env, selected));
    process.stdout.write(`${JSON.stringify({ done: true, ...summary })}\n`);
    return summary.failed === 0 && summary.passed > 0 ? 0 : 1;
  } finally {
    await clientConnection.close();
    await workerConnection.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`run.js: ${describeError(err)}\n`);
    process.exitCode = 2;
  },
);
