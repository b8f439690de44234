// Drives Temporal's Web UI, served by Sundial, in headless Chromium and checks
// what each page shows against the fixtures webui_test.go made. Usage:
//
//   node checks.js BASE_URL FIXTURES_JSON SCREENSHOT_DIR CHROMIUM_PATH
//
// It prints one JSON line per check ({check, ok, error}) and a last {done: true}.
'use strict';

const path = require('node:path');
const { chromium } = require('playwright-core');

const [base, fixturesJSON, shotsDir, chromiumPath] = process.argv.slice(2);
const fx = JSON.parse(fixturesJSON);
const ns = fx.namespace;
const timeout = 30000;

function report(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

// watchAPI records every failed call the UI makes to its HTTP API, which is
// what becomes an error banner or toast.
function watchAPI(page) {
  const failures = [];
  page.on('response', async (response) => {
    if (!response.url().startsWith(base + '/api/v1/') || response.status() < 400) return;
    let body = '';
    try {
      body = (await response.text()).slice(0, 300);
    } catch (_) {
      // the body may be gone once the page navigated away
    }
    failures.push(`${response.status()} ${response.request().method()} ${decodeURIComponent(response.url().slice(base.length))} ${body}`);
  });
  return failures;
}

async function visibleErrors(page) {
  const texts = await page.locator('[role=alert]:visible, [data-testid=toast]:visible').allInnerTexts();
  return texts.map((t) => t.trim()).filter((t) => /error|not implemented|failed|uh oh/i.test(t));
}

async function expectText(scope, text, options = {}) {
  await scope.getByText(text, { exact: false, ...options }).first().waitFor({ state: 'visible', timeout });
}

async function expectNoText(scope, text) {
  const count = await scope.getByText(text, { exact: true }).count();
  if (count > 0) throw new Error(`"${text}" is on the page but should not be`);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shotsDir, name + '.png') });
}

// open loads a route. It does not wait for the network to go quiet: pages of
// running workflows keep a long poll for new events open.
async function open(page, route) {
  await page.goto(base + route, { waitUntil: 'load' });
}

function workflowRoute(id, tab = 'history') {
  return `/namespaces/${ns}/workflows/${encodeURIComponent(id)}`;
}

// openWorkflow opens the newest run of a workflow id and then one of its tabs.
async function openWorkflow(page, id, tab) {
  await open(page, workflowRoute(id));
  await page.waitForURL(/\/history/, { timeout });
  if (tab) {
    await page.getByTestId(`${tab}-tab`).first().click();
  }
}

const checks = [];
function check(name, fn) {
  checks.push({ name, fn });
}

check('namespaces: the list shows both namespaces', async (page) => {
  await open(page, '/namespaces');
  await expectText(page, fx.secondNamespace);
  await expectText(page.getByRole('table'), ns);
  await shot(page, 'namespaces');
});

check('namespace settings: retention and description', async (page) => {
  await open(page, `/namespaces/${fx.secondNamespace}`);
  await expectText(page, 'the namespace the Web UI test switches to');
  await expectText(page, '3 days');
  await shot(page, 'namespace-settings');
});

check('workflow list: every fixture and the status counts', async (page) => {
  await open(page, `/namespaces/${ns}/workflows`);
  for (const id of [fx.completed, fx.failed, fx.canceled, fx.terminated, fx.timedOut, fx.continued, fx.parent, fx.child]) {
    await expectText(page.getByRole('link', { name: id, exact: true }), id);
  }
  await expectText(page, `${fx.running} Running`);
  for (const count of ['1 Failed', '1 Timed Out', '1 Canceled', '1 Terminated', '1 Continued as New', '3 Completed']) {
    await expectText(page, count);
  }
  await expectText(page, `1–${fx.total} of ${fx.total}`);
  await shot(page, 'workflows');
});

check('workflow list: the query box filters', async (page) => {
  await open(page, `/namespaces/${ns}/workflows`);
  await page.getByTestId('toggle-manual-query').click();
  await page.getByTestId('manual-search-input').fill(`CustomerId = "${fx.customerId}"`);
  await page.getByTestId('manual-search-button').click();
  await page.waitForURL(/query=/, { timeout });
  await expectText(page, '1–1 of 1');
  await expectText(page.getByRole('link', { name: fx.parent, exact: true }), fx.parent);
  await expectNoText(page, fx.completed);
});

check('saved views: Running and Parent Workflows', async (page) => {
  await open(page, `/namespaces/${ns}/workflows`);
  await page.getByTestId('running').click();
  await page.waitForURL(/ExecutionStatus/, { timeout });
  await expectText(page, `1–${fx.running} of ${fx.running}`);
  await expectNoText(page, fx.completed);
  await page.getByTestId('child-workflows').click();
  await page.waitForURL(/ParentWorkflowId/, { timeout });
  await expectText(page, `1–${fx.total - 1} of ${fx.total - 1}`);
  await expectNoText(page, fx.child);
});

check('namespace switcher: moves to the second namespace', async (page) => {
  await open(page, `/namespaces/${ns}/workflows`);
  const picker = page.locator('#namespace-switcher');
  await picker.click();
  await picker.fill(fx.secondNamespace);
  await page.getByRole('option', { name: fx.secondNamespace }).first().click();
  await page.waitForURL(new RegExp(`/namespaces/${fx.secondNamespace}/workflows`), { timeout });
  await expectText(page, fx.secondWorkflow);
  await expectNoText(page, fx.completed);
});

check('workflow detail: summary, input and result', async (page) => {
  await openWorkflow(page, fx.completed);
  await expectText(page, 'Completed');
  await expectText(page, 'Greet');
  await expectText(page, fx.taskQueue);
  const io = page.getByTestId('input-and-result');
  await expectText(io, 'ada');
  await expectText(io, 'Hello, ADA');
  await shot(page, 'workflow-completed');
});

check('workflow detail: history in the all, compact and JSON views', async (page) => {
  await openWorkflow(page, fx.completed);
  await expectText(page, 'Activity Task Completed');
  await expectText(page, 'Workflow Execution Completed');
  await page.getByRole('button', { name: 'Compact' }).click();
  await expectText(page, 'Upper');
  await page.getByRole('button', { name: 'JSON' }).click();
  await expectText(page, '"eventType": "WorkflowExecutionStarted"');
});

check('workflow detail: timeline', async (page) => {
  await openWorkflow(page, fx.parent);
  const timeline = page.locator('svg');
  await expectText(timeline, 'ChargeCard');
  await expectText(timeline, 'WaitFinish');
});

check('workflow detail: failed, timed out, canceled, terminated, continued as new', async (page) => {
  await openWorkflow(page, fx.failed);
  await expectText(page, 'card declined');
  await expectText(page, 'Workflow Execution Failed');
  await openWorkflow(page, fx.timedOut);
  await expectText(page, 'Workflow Execution Timed Out');
  await openWorkflow(page, fx.canceled);
  await expectText(page, 'Workflow Execution Canceled');
  await openWorkflow(page, fx.terminated);
  await expectText(page, 'Workflow Execution Terminated');
  await expectText(page, 'operator stopped it');
});

check('workflow detail: pending activities', async (page) => {
  await openWorkflow(page, fx.parent, 'pending-activities');
  await expectText(page, 'ChargeCard');
  await expectText(page, 'charging');
  await shot(page, 'pending-activities');
});

check('workflow detail: signals and search attributes', async (page) => {
  await openWorkflow(page, fx.parent);
  await expectText(page, 'Workflow Execution Signaled');
  await page.getByTestId('search-attributes-tab').first().click();
  await expectText(page, 'CustomerId');
  await expectText(page, fx.customerId);
});

check('workflow detail: call stack', async (page) => {
  await openWorkflow(page, fx.parent, 'call-stack');
  await expectText(page, 'webUIParent');
  await shot(page, 'call-stack');
});

check("workflow detail: call stack of a workflow run by Sundial's Go SDK", async (page) => {
  await openWorkflow(page, fx.sundialSdk, 'call-stack');
  await expectText(page, 'coroutine root [');
  await expectText(page, 'coroutine approver [');
  await expectText(page, 'webUISundialAwait');
});

check('workflow detail: queries', async (page) => {
  await openWorkflow(page, fx.parent, 'queries');
  await page.getByTestId('query-select-button').click();
  await page.getByRole('option', { name: 'status' }).click();
  await page.getByRole('button', { name: /query/i }).last().click();
  await expectText(page.getByTestId('query-result'), 'awaiting approval, notes: 1');
});

check('workflow detail: relationships of parent and child', async (page) => {
  await openWorkflow(page, fx.parent, 'relationships');
  await expectText(page, fx.child);
  await shot(page, 'relationships');
  await openWorkflow(page, fx.child, 'relationships');
  await expectText(page, fx.parent);
});

check('task queue: pollers', async (page) => {
  await open(page, `/namespaces/${ns}/task-queues/${fx.taskQueue}`);
  await expectText(page, fx.workerIdentity);
  await shot(page, 'task-queue');
});

// modal is the visible copy of a confirmation modal (the UI renders one per layout).
function modal(page, testId) {
  return page.locator(`[data-testid="${testId}"]:visible`);
}

async function runningAction(page, testId) {
  await page.getByRole('button', { name: 'More Actions' }).click();
  await page.getByTestId(testId).locator('visible=true').click();
}

check('action: signal from the UI', async (page) => {
  await openWorkflow(page, fx.signalTarget);
  await runningAction(page, 'signal-button');
  const dialog = modal(page, 'signal-confirmation-modal');
  // The official Go SDK reports the workflow's signals (through the
  // __temporal_workflow_metadata query), so the UI offers them in a list.
  await dialog.getByTestId('signal-select-button').click();
  await page.getByRole('option', { name: 'finish' }).locator('visible=true').click();
  await dialog.locator('.cm-content').click();
  await page.keyboard.type('"from the UI"');
  await dialog.getByTestId('confirm-modal-button').click();
  await expectText(page, 'Workflow Execution Signaled');
  await expectText(page, 'Workflow Execution Completed');
  await expectText(page.getByTestId('input-and-result'), 'finished: from the UI');
});

check('action: cancel from the UI', async (page) => {
  await openWorkflow(page, fx.cancelTarget);
  // The namespace advertises workflow pause, so the UI's main action is
  // "Pause Workflow" and cancellation is in the More Actions menu.
  await page.getByRole('button', { name: 'More Actions' }).click();
  await page.getByText('Request Cancellation', { exact: true }).locator('visible=true').first().click();
  await modal(page, 'cancel-confirmation-modal').getByTestId('confirm-modal-button').click();
  await expectText(page, 'Workflow Execution Cancel Requested');
  await expectText(page, 'Workflow Execution Canceled');
});

check('action: terminate from the UI', async (page) => {
  await openWorkflow(page, fx.terminateTarget);
  await runningAction(page, 'terminate-button');
  const dialog = modal(page, 'terminate-confirmation-modal');
  await dialog.getByRole('textbox').first().fill('stopped from the browser');
  await dialog.getByTestId('confirm-modal-button').click();
  await expectText(page, 'Workflow Execution Terminated');
  await expectText(page, 'stopped from the browser');
});

check('action: reset from the UI', async (page) => {
  await openWorkflow(page, fx.resetTarget);
  const firstRun = page.url();
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  const dialog = modal(page, 'reset-confirmation-modal');
  await dialog.getByTestId('workflow-reset-event-id-select-button').click();
  await page.locator('#reset-event-id-select [role="option"]:visible').first().click();
  await dialog.getByRole('textbox').last().fill('reset from the browser');
  await dialog.getByTestId('confirm-modal-button').click();
  await expectText(page, 'This Workflow has been reset');
  await page.getByRole('link', { name: 'here', exact: true }).click();
  await page.waitForURL((url) => url.toString() !== firstRun && /\/history/.test(url.toString()), { timeout });
  await expectText(page, 'Workflow Execution Completed');
  await expectText(page, 'reset from the browser');
  await open(page, `/namespaces/${ns}/workflows?query=${encodeURIComponent(`WorkflowId="${fx.resetTarget}"`)}`);
  await expectText(page, '1–2 of 2');
});

async function main() {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  // WEBUI_CHECKS (a regular expression) runs only the checks it matches.
  const only = new RegExp(process.env.WEBUI_CHECKS || '.');
  for (const { name, fn } of checks.filter((c) => only.test(c.name))) {
    // A fresh context per check: the UI keeps view choices (such as the
    // history view) in local storage.
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: 'UTC' });
    const page = await context.newPage();
    page.setDefaultTimeout(timeout);
    page.setDefaultNavigationTimeout(2 * timeout);
    const failures = watchAPI(page);
    try {
      await fn(page);
      const banners = await visibleErrors(page);
      if (failures.length || banners.length) {
        throw new Error(`the UI met errors:\n${[...failures, ...banners].join('\n')}`);
      }
      report({ check: name, ok: true });
    } catch (err) {
      try {
        await shot(page, 'failed-' + name.replace(/[^a-z0-9]+/gi, '-'));
      } catch (_) {
        // a screenshot of a broken page is only a help
      }
      report({ check: name, ok: false, error: `${err.message}\n(page ${page.url()})${failures.length ? '\nAPI failures:\n' + failures.join('\n') : ''}` });
    }
    await context.close();
  }
  await browser.close();
  report({ done: true });
}

main().catch((err) => {
  report({ check: 'checks.js', ok: false, error: err.stack || String(err) });
  process.exit(1);
});
