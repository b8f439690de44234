'use strict';
// The compatibility scenarios. Each one drives workflows through the client, checks
// the results and histories, and throws on any mismatch. A scenario returns
// { result, histories } where histories maps a label to a run's event type names.

const assert = require('node:assert/strict');
const { WorkflowFailedError, WorkflowUpdateFailedError } = require('@temporalio/client');
const { ApplicationFailure, CancelledFailure } = require('@temporalio/common');
const { temporal } = require('@temporalio/proto');
const { historyOf, requireCounts, requireInOrder, requireLast } = require('./history');

// start begins a workflow of type with args on the scenario's task queue.
function start(env, type, id, args) {
  return env.client.workflow.start(type, {
    taskQueue: env.taskQueue,
    workflowId: `${env.prefix}-${id}`,
    args,
    workflowExecutionTimeout: '2m',
  });
}

async function hello(env) {
  const handle = await start(env, 'helloWorkflow', 'hello', ['TypeScript']);
  const result = await handle.result();
  assert.equal(result, 'Hello, TypeScript!');
  const events = await historyOf(env.client, handle.workflowId);
  requireInOrder('hello', events, [
    'WORKFLOW_EXECUTION_STARTED',
    'ACTIVITY_TASK_SCHEDULED',
    'ACTIVITY_TASK_STARTED',
    'ACTIVITY_TASK_COMPLETED',
    'WORKFLOW_EXECUTION_COMPLETED',
  ]);
  requireLast('hello', events, 'WORKFLOW_EXECUTION_COMPLETED');
  return { result, histories: { [handle.workflowId]: events } };
}

async function activityRetry(env) {
  const handle = await start(env, 'retryWorkflow', 'retry', []);
  const result = await handle.result();
  assert.equal(result, 3, 'the activity should succeed on its third attempt');
  const events = await historyOf(env.client, handle.workflowId);
  // Retries happen inside the server: one scheduled/started/completed, no failures.
  requireCounts('retry', events, {
    ACTIVITY_TASK_SCHEDULED: 1,
    ACTIVITY_TASK_STARTED: 1,
    ACTIVITY_TASK_COMPLETED: 1,
    ACTIVITY_TASK_FAILED: 0,
  });
  requireLast('retry', events, 'WORKFLOW_EXECUTION_COMPLETED');
  return { result, histories: { [handle.workflowId]: events } };
}

// waitForHeartbeat polls the workflow's description until its one pending activity
// is running and the server has recorded a heartbeat from it.
async function waitForHeartbeat(handle) {
  const started = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
  for (;;) {
    const { raw } = await handle.describe();
    const pending = raw.pendingActivities || [];
    if (pending.length === 1 && pending[0].state === started && pending[0].lastHeartbeatTime) {
      return pending[0];
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function activityHeartbeatCancel(env) {
  const handle = await start(env, 'cancelActivityWorkflow', 'cancel-activity', []);
  const pending = await waitForHeartbeat(handle);
  assert.equal(pending.activityType.name, 'heartbeatUntilCancelled');
  assert.ok(pending.heartbeatDetails, 'the description should carry the last heartbeat details');
  await handle.signal('cancelActivity');
  const result = await handle.result();
  assert.equal(result, 'cancelled');
  const events = await historyOf(env.client, handle.workflowId);
  requireInOrder('cancel-activity', events, [
    'ACTIVITY_TASK_SCHEDULED',
    'WORKFLOW_EXECUTION_SIGNALED',
    'ACTIVITY_TASK_CANCEL_REQUESTED',
    // A running activity's started event is written when the activity closes.
    'ACTIVITY_TASK_STARTED',
    'ACTIVITY_TASK_CANCELED',
    'WORKFLOW_EXECUTION_COMPLETED',
  ]);
  requireLast('cancel-activity', events, 'WORKFLOW_EXECUTION_COMPLETED');
  return { result, histories: { [handle.workflowId]: events } };
}

async function signalAndQuery(env) {
  const handle = await start(env, 'signalQueryWorkflow', 'signal-query', []);
  await handle.signal('addItem', 'apple');
  await handle.signal('addItem', 'pear');
  // Signals acknowledged before a query must be visible to it.
  const seen = await handle.query('items');
  assert.deepEqual(seen, ['apple', 'pear']);
  await handle.signal('finish');
  const result = await handle.result();
  assert.deepEqual(result, ['apple', 'pear']);
  // A query on a closed workflow is answered from its history.
  const afterClose = await handle.query('items');
  assert.deepEqual(afterClose, ['apple', 'pear']);
  const events = await historyOf(env.client, handle.workflowId);
  requireCounts('signal-query', events, { WORKFLOW_EXECUTION_SIGNALED: 3 });
  requireLast('signal-query', events, 'WORKFLOW_EXECUTION_COMPLETED');
  return { result: { queried: seen, result }, histories: { [handle.workflowId]: events } };
}

async function timer(env) {
  const began = Date.now();
  const handle = await start(env, 'timerWorkflow', 'timer', [1000]);
  const workflowElapsed = await handle.result();
  const clientElapsed = Date.now() - began;
  assert.ok(clientElapsed >= 1000, `the workflow finished after ${clientElapsed}ms, before its 1s timer`);
  assert.ok(workflowElapsed >= 1000, `workflow time advanced only ${workflowElapsed}ms across a 1s timer`);
  const events = await historyOf(env.client, handle.workflowId);
  requireInOrder('timer', events, ['TIMER_STARTED', 'TIMER_FIRED', 'WORKFLOW_EXECUTION_COMPLETED']);
  requireCounts('timer', events, { TIMER_STARTED: 1, TIMER_FIRED: 1 });
  return { result: { workflowElapsed, clientElapsed }, histories: { [handle.workflowId]: events } };
}

async function childWorkflow(env) {
  const handle = await start(env, 'parentWorkflow', 'parent', ['x']);
  const result = await handle.result();
  assert.equal(result, 'parent saw (child got x)');
  const parentEvents = await historyOf(env.client, handle.workflowId);
  requireInOrder('parent', parentEvents, [
    'START_CHILD_WORKFLOW_EXECUTION_INITIATED',
    'CHILD_WORKFLOW_EXECUTION_STARTED',
    'CHILD_WORKFLOW_EXECUTION_COMPLETED',
    'WORKFLOW_EXECUTION_COMPLETED',
  ]);
  const childId = `${handle.workflowId}-child`;
  const childEvents = await historyOf(env.client, childId);
  requireLast('child', childEvents, 'WORKFLOW_EXECUTION_COMPLETED');
  const childResult = await env.client.workflow.getHandle(childId).result();
  assert.equal(childResult, 'child got x');
  return { result, histories: { [handle.workflowId]: parentEvents, [childId]: childEvents } };
}

async function update(env) {
  const handle = await start(env, 'updateWorkflow', 'update', ['first']);
  const replaced = await handle.executeUpdate('setValue', { args: ['second'] });
  assert.equal(replaced, 'first');
  assert.equal(await handle.query('value'), 'second');
  // The validator rejects an empty value; the rejection leaves no trace in history.
  await assert.rejects(handle.executeUpdate('setValue', { args: [''] }), (err) => {
    assert.ok(err instanceof WorkflowUpdateFailedError, `want WorkflowUpdateFailedError, got ${err}`);
    return true;
  });
  const last = await handle.executeUpdate('setValue', { args: ['stop'] });
  assert.equal(last, 'second');
  const result = await handle.result();
  assert.equal(result, 'finished after first became stop');
  const events = await historyOf(env.client, handle.workflowId);
  requireCounts('update', events, {
    WORKFLOW_EXECUTION_UPDATE_ACCEPTED: 2,
    WORKFLOW_EXECUTION_UPDATE_COMPLETED: 2,
    WORKFLOW_EXECUTION_UPDATE_REJECTED: 0,
  });
  requireLast('update', events, 'WORKFLOW_EXECUTION_COMPLETED');
  return { result, histories: { [handle.workflowId]: events } };
}

async function continueAsNew(env) {
  const handle = await start(env, 'countdownWorkflow', 'continue-as-new', [3]);
  const result = await handle.result();
  assert.equal(result, 3, 'three runs should have been chained');
  const firstRunEvents = await historyOf(env.client, handle.workflowId, handle.firstExecutionRunId);
  requireLast('first run', firstRunEvents, 'WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
  const latest = await env.client.workflow.getHandle(handle.workflowId).describe();
  assert.notEqual(latest.runId, handle.firstExecutionRunId, 'the latest run should be a new one');
  assert.equal(latest.status.name, 'COMPLETED');
  const lastRunEvents = await historyOf(env.client, handle.workflowId, latest.runId);
  requireLast('last run', lastRunEvents, 'WORKFLOW_EXECUTION_COMPLETED');
  return {
    result,
    histories: {
      [`${handle.workflowId}@first`]: firstRunEvents,
      [`${handle.workflowId}@last`]: lastRunEvents,
    },
  };
}

async function localActivity(env) {
  const handle = await start(env, 'localActivityWorkflow', 'local-activity', ['local']);
  const result = await handle.result();
  assert.equal(result, 'Hello, local!');
  const events = await historyOf(env.client, handle.workflowId);
  // A local activity leaves a marker and no activity events.
  requireCounts('local-activity', events, { MARKER_RECORDED: 1, ACTIVITY_TASK_SCHEDULED: 0 });
  requireLast('local-activity', events, 'WORKFLOW_EXECUTION_COMPLETED');
  return { result, histories: { [handle.workflowId]: events } };
}

async function cancelWorkflow(env) {
  const handle = await start(env, 'waitForCancelWorkflow', 'cancel-workflow', []);
  await handle.cancel();
  await assert.rejects(handle.result(), (err) => {
    assert.ok(err instanceof WorkflowFailedError, `want WorkflowFailedError, got ${err}`);
    assert.ok(err.cause instanceof CancelledFailure, `want a CancelledFailure cause, got ${err.cause}`);
    return true;
  });
  const description = await handle.describe();
  assert.equal(description.status.name, 'CANCELLED');
  const events = await historyOf(env.client, handle.workflowId);
  requireInOrder('cancel-workflow', events, ['WORKFLOW_EXECUTION_CANCEL_REQUESTED', 'WORKFLOW_EXECUTION_CANCELED']);
  requireLast('cancel-workflow', events, 'WORKFLOW_EXECUTION_CANCELED');
  return { result: description.status.name, histories: { [handle.workflowId]: events } };
}

async function workflowFailure(env) {
  const handle = await start(env, 'failingWorkflow', 'failure', [42]);
  let failure;
  await assert.rejects(handle.result(), (err) => {
    assert.ok(err instanceof WorkflowFailedError, `want WorkflowFailedError, got ${err}`);
    failure = err.cause;
    return true;
  });
  assert.ok(failure instanceof ApplicationFailure, `want an ApplicationFailure cause, got ${failure}`);
  assert.equal(failure.type, 'CompatWorkflowFailure');
  assert.equal(failure.message, 'activity failed: input 42 is not acceptable');
  assert.equal(failure.nonRetryable, true);
  assert.deepEqual(failure.details, ['CompatRejection', { code: 42 }]);
  const events = await historyOf(env.client, handle.workflowId);
  // A non-retryable failure ends the activity after its first attempt.
  requireCounts('failure', events, { ACTIVITY_TASK_STARTED: 1, ACTIVITY_TASK_FAILED: 1 });
  requireLast('failure', events, 'WORKFLOW_EXECUTION_FAILED');
  return { result: { type: failure.type, details: failure.details }, histories: { [handle.workflowId]: events } };
}

// scenarios lists every scenario by the name printed in its result line.
const scenarios = [
  { name: 'hello-activity', run: hello },
  { name: 'activity-retry', run: activityRetry },
  { name: 'activity-heartbeat-cancel', run: activityHeartbeatCancel },
  { name: 'signal-query', run: signalAndQuery },
  { name: 'timer', run: timer },
  { name: 'child-workflow', run: childWorkflow },
  { name: 'update', run: update },
  { name: 'continue-as-new', run: continueAsNew },
  { name: 'local-activity', run: localActivity },
  { name: 'cancel-workflow', run: cancelWorkflow },
  { name: 'workflow-failure', run: workflowFailure },
];

module.exports = { scenarios };
