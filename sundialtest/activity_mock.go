package sundialtest

import (
	"context"
	"fmt"
	"sync"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/worker"
)

// ActivityMock replaces one declared activity on the workers of a WorkflowEnvironment.
// Each call (each attempt, retries included) takes the next answer queued with
// ReturnOnce or DoOnce, else the one set with Return or Do; a call with no answer
// fails with a non-retryable ApplicationError of type MockNoAnswerErrorType. Its
// methods are safe to call while workflows run.
type ActivityMock[In, Out any] struct {
	name string

	mu     sync.Mutex
	queued []func(context.Context, In) (Out, error)
	always func(context.Context, In) (Out, error)
	inputs []In
}

// MockNoAnswerErrorType is the ApplicationError type of a mocked activity's call that
// has no answer.
const MockNoAnswerErrorType = "SundialTestMockNoAnswer"

// activityMock is what the environment needs of every ActivityMock.
type activityMock interface {
	register(w *worker.Worker) error
	activityName() string
}

// OnActivity replaces activity a on every worker env.NewWorker makes from now on;
// declare mocks before making workers (the test fails otherwise), and do not register
// the real activity on them:
//
//	charge := sundialtest.OnActivity(env, billing.ChargeCard).
//		ReturnOnce(billing.Receipt{}, billing.ErrDeclined). // first attempt
//		Return(billing.Receipt{ID: "r-1"}, nil)              // every later one
//	w := env.NewWorker("billing", worker.Options{})
//	...
//	if charge.Calls() != 2 { ... }
//
// A mock is typed by a's declaration: the compiler checks answers and inputs.
func OnActivity[In, Out any](env *WorkflowEnvironment, a activity.Func[In, Out]) *ActivityMock[In, Out] {
	env.t.Helper()
	m := &ActivityMock[In, Out]{name: a.Name()}
	if err := env.addMock(m); err != nil {
		env.t.Fatalf("sundialtest: OnActivity(%s): %v", a.Name(), err)
	}
	return m
}

// Return answers every call not answered by a queued answer with out and err.
func (m *ActivityMock[In, Out]) Return(out Out, err error) *ActivityMock[In, Out] {
	return m.Do(func(context.Context, In) (Out, error) { return out, err })
}

// Do answers every call not answered by a queued answer by calling fn.
func (m *ActivityMock[In, Out]) Do(fn func(context.Context, In) (Out, error)) *ActivityMock[In, Out] {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.always = fn
	return m
}

// ReturnOnce queues out and err as the answer to one call, after those already queued.
func (m *ActivityMock[In, Out]) ReturnOnce(out Out, err error) *ActivityMock[In, Out] {
	return m.DoOnce(func(context.Context, In) (Out, error) { return out, err })
}

// DoOnce queues fn to answer one call, after those already queued.
func (m *ActivityMock[In, Out]) DoOnce(fn func(context.Context, In) (Out, error)) *ActivityMock[In, Out] {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.queued = append(m.queued, fn)
	return m
}

// Calls is how many times the activity ran (every attempt counts).
func (m *ActivityMock[In, Out]) Calls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.inputs)
}

// Inputs are the inputs of every call so far, in order.
func (m *ActivityMock[In, Out]) Inputs() []In {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]In(nil), m.inputs...)
}

// Func is the mock as an activity declaration with the real one's name, for workers
// the test makes itself: worker.RegisterActivityFunc(w, mock.Func()).
func (m *ActivityMock[In, Out]) Func() activity.Func[In, Out] {
	return activity.DefineNamed(m.name, m.call)
}

func (m *ActivityMock[In, Out]) call(ctx context.Context, in In) (Out, error) {
	m.mu.Lock()
	m.inputs = append(m.inputs, in)
	callNumber := len(m.inputs)
	answer := m.always
	if len(m.queued) > 0 {
		answer, m.queued = m.queued[0], m.queued[1:]
	}
	m.mu.Unlock()
	if answer == nil {
		var zero Out
		return zero, sundial.NewNonRetryableApplicationError(
			fmt.Sprintf("sundialtest: mocked activity %s has no answer for call %d", m.name, callNumber),
			MockNoAnswerErrorType, nil)
	}
	return answer(ctx, in)
}

func (m *ActivityMock[In, Out]) register(w *worker.Worker) error {
	return worker.RegisterActivityFunc(w, m.Func())
}

func (m *ActivityMock[In, Out]) activityName() string { return m.name }

// addMock records m for the workers made from now on.
func (e *WorkflowEnvironment) addMock(m activityMock) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.workers) > 0 {
		return fmt.Errorf("called after NewWorker; declare every mock before making workers")
	}
	for _, other := range e.mocks {
		if other.activityName() == m.activityName() {
			return fmt.Errorf("activity %q is already mocked; change its answers on the first mock", m.activityName())
		}
	}
	e.mocks = append(e.mocks, m)
	return nil
}
