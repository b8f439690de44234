'use strict';
// Workflows for the compatibility scenarios. The worker bundles this file into its
// deterministic sandbox; it must only use @temporalio/workflow APIs.

const wf = require('@temporalio/workflow');

const { greet, flaky, reject } = wf.proxyActivities({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', backoffCoefficient: 1, maximumAttempts: 5 },
});

const { heartbeatUntilCancelled } = wf.proxyActivities({
  startToCloseTimeout: '30s',
  heartbeatTimeout: '5s',
  cancellationType: wf.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { maximumAttempts: 1 },
});

const local = wf.proxyLocalActivities({ startToCloseTimeout: '5s' });

// helloWorkflow runs one activity and returns its result.
async function helloWorkflow(name) {
  return await greet(name);
}

// retryWorkflow returns the attempt on which the flaky activity succeeded.
async function retryWorkflow() {
  return await flaky('retry-scenario');
}

const cancelActivity = wf.defineSignal('cancelActivity');

// cancelActivityWorkflow starts a heartbeating activity, cancels it when signalled
// to and reports how the cancellation surfaced in the workflow.
async function cancelActivityWorkflow() {
  let cancelRequested = false;
  wf.setHandler(cancelActivity, () => {
    cancelRequested = true;
  });
  const scope = new wf.CancellationScope();
  const running = scope.run(() => heartbeatUntilCancelled(20000));
  await wf.condition(() => cancelRequested);
  scope.cancel();
  try {
    await running;
    return 'activity completed without being cancelled';
  } catch (err) {
    if (wf.isCancellation(err)) {
      return 'cancelled';
    }
    throw err;
  }
}

const addItem = wf.defineSignal('addItem');
const finish = wf.defineSignal('finish');
const itemsQuery = wf.defineQuery('items');

// signalQueryWorkflow collects items sent by signal until told to finish; the items
// can be queried meanwhile.
async function signalQueryWorkflow() {
  const items = [];
  let done = false;
  wf.setHandler(addItem, (item) => {
    items.push(item);
  });
  wf.setHandler(finish, () => {
    done = true;
  });
  wf.setHandler(itemsQuery, () => items.slice());
  await wf.condition(() => done);
  return items;
}

// timerWorkflow sleeps for ms milliseconds on a durable timer.
async function timerWorkflow(ms) {
  const before = Date.now();
  await wf.sleep(ms);
  return Date.now() - before;
}

// childWorkflow is started by parentWorkflow.
async function childWorkflow(value) {
  return `child got ${value}`;
}

// parentWorkflow runs childWorkflow to completion and wraps its result.
async function parentWorkflow(value) {
  const fromChild = await wf.executeChild(childWorkflow, {
    args: [value],
    workflowId: `${wf.workflowInfo().workflowId}-child`,
  });
  return `parent saw (${fromChild})`;
}

const setValue = wf.defineUpdate('setValue');
const valueQuery = wf.defineQuery('value');

// updateWorkflow holds a value that updates replace; each update returns the value
// it replaced. An update with the value "stop" ends the workflow.
async function updateWorkflow(initial) {
  let value = initial;
  wf.setHandler(
    setValue,
    (next) => {
      const previous = value;
      value = next;
      return previous;
    },
    {
      validator: (next) => {
        if (typeof next !== 'string' || next === '') {
          throw new Error('setValue needs a non-empty string');
        }
      },
    },
  );
  wf.setHandler(valueQuery, () => value);
  await wf.condition(() => value === 'stop');
  return `finished after ${initial} became stop`;
}

// countdownWorkflow continues as new until it has run `runs` times, carrying the
// run count along, and returns the total.
async function countdownWorkflow(runs, seen) {
  const count = (seen || 0) + 1;
  if (count < runs) {
    await wf.continueAsNew(runs, count);
  }
  return count;
}

// localActivityWorkflow runs greet as a local activity (recorded as a marker).
async function localActivityWorkflow(name) {
  return await local.greet(name);
}

// waitForCancelWorkflow waits until the workflow is cancelled; the cancellation
// propagates out of the workflow, closing it as cancelled.
async function waitForCancelWorkflow() {
  await wf.condition(() => false);
}

// failingWorkflow runs an activity that fails without retries and fails itself with
// an application error that carries the activity's error type and details.
async function failingWorkflow(code) {
  try {
    await reject(code);
  } catch (err) {
    if (err instanceof wf.ActivityFailure && err.cause instanceof wf.ApplicationFailure) {
      throw wf.ApplicationFailure.create({
        message: `activity failed: ${err.cause.message}`,
        type: 'CompatWorkflowFailure',
        nonRetryable: true,
        details: [err.cause.type, ...err.cause.details],
      });
    }
    throw err;
  }
  return 'the activity unexpectedly succeeded';
}

module.exports = {
  localActivityWorkflow,
  waitForCancelWorkflow,
  failingWorkflow,
  helloWorkflow,
  retryWorkflow,
  cancelActivityWorkflow,
  signalQueryWorkflow,
  timerWorkflow,
  childWorkflow,
  parentWorkflow,
  updateWorkflow,
  countdownWorkflow,
};
