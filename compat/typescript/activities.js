'use strict';
// Activities the compatibility scenarios schedule. They run in the worker's Node
// process (not in the workflow sandbox), so they may keep ordinary state.

const activity = require('@temporalio/activity');
const { ApplicationFailure } = require('@temporalio/common');

// greet returns a greeting for name.
async function greet(name) {
  return `Hello, ${name}!`;
}

// flaky fails its first two attempts and succeeds on the third, returning the
// attempt number it succeeded on.
async function flaky(label) {
  const { attempt } = activity.activityInfo();
  if (attempt < 3) {
    throw new Error(`${label}: deliberate failure on attempt ${attempt}`);
  }
  return attempt;
}

// heartbeatUntilCancelled heartbeats every 100ms until the server reports the
// activity as cancelled (through a heartbeat response), then rethrows the
// cancellation so the workflow sees ACTIVITY_TASK_CANCELED. It gives up after
// limitMs so a server that never delivers the cancel cannot hang the run.
async function heartbeatUntilCancelled(limitMs) {
  const started = Date.now();
  let beats = 0;
  while (Date.now() - started < limitMs) {
    activity.heartbeat({ beats });
    beats++;
    // sleep rejects with a CancelledFailure as soon as cancellation arrives.
    await activity.sleep(100);
  }
  throw new Error(`no cancellation reached the activity within ${limitMs}ms (${beats} heartbeats)`);
}

// reject fails with a non-retryable application error carrying details.
async function reject(code) {
  throw ApplicationFailure.nonRetryable(`input ${code} is not acceptable`, 'CompatRejection', { code });
}

module.exports = { greet, flaky, heartbeatUntilCancelled, reject };
