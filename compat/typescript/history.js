'use strict';
// Reading a workflow run's history as a list of short event type names
// ("WORKFLOW_EXECUTION_STARTED", ...), and assertions over such lists.

const { temporal } = require('@temporalio/proto');

const EventType = temporal.api.enums.v1.EventType;

// eventTypeName turns the enum value the client decoded (a number, or already a
// name) into the name without its EVENT_TYPE_ prefix.
function eventTypeName(value) {
  const name = typeof value === 'number' ? EventType[value] : String(value);
  if (name === undefined) {
    return `UNKNOWN_${value}`;
  }
  return name.replace(/^EVENT_TYPE_/, '');
}

// historyOf fetches the whole history of one run (the latest run when runId is
// omitted) and returns its event type names in order.
async function historyOf(client, workflowId, runId) {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = history.events || [];
  events.forEach((event, index) => {
    const id = Number(event.eventId);
    if (id !== index + 1) {
      throw new Error(`history of ${workflowId}: event ${index} has id ${id}, want contiguous ids from 1`);
    }
  });
  return events.map((event) => eventTypeName(event.eventType));
}

// count returns how many times type occurs in types.
function count(types, type) {
  return types.filter((t) => t === type).length;
}

// requireCounts fails unless each event type occurs exactly the given number of times.
function requireCounts(label, types, wanted) {
  for (const [type, n] of Object.entries(wanted)) {
    const got = count(types, type);
    if (got !== n) {
      throw new Error(`${label}: want ${n} ${type} event(s), got ${got} in [${types.join(', ')}]`);
    }
  }
}

// requireInOrder fails unless the wanted types appear in types as a subsequence.
function requireInOrder(label, types, wanted) {
  let next = 0;
  for (const type of types) {
    if (next < wanted.length && type === wanted[next]) {
      next++;
    }
  }
  if (next !== wanted.length) {
    throw new Error(`${label}: want events in order [${wanted.join(', ')}], missing ${wanted[next]} in [${types.join(', ')}]`);
  }
}

// requireLast fails unless the last event has the wanted type.
function requireLast(label, types, wanted) {
  const last = types[types.length - 1];
  if (last !== wanted) {
    throw new Error(`${label}: want the last event to be ${wanted}, got ${last} in [${types.join(', ')}]`);
  }
}

module.exports = { historyOf, requireCounts, requireInOrder, requireLast };
