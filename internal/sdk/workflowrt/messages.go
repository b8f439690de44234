package workflowrt

import (
	"fmt"
	"reflect"

	commonpb "go.temporal.io/api/common/v1"
)

// GetSignalChannel returns the channel that receives the signals named name. Signals
// that arrive before anyone asks are kept in it.
func GetSignalChannel(ctx Context, name string) ReceiveChannel {
	return envFrom(ctx).signalChannel(name)
}

func (e *runEnv) signalChannel(name string) *channel {
	ch, ok := e.signalChannels[name]
	if !ok {
		ch = newChannel(e, name, -1)
		e.signalChannels[name] = ch
	}
	return ch
}

// QueryHandler answers one query from its encoded arguments.
type QueryHandler func(args *commonpb.Payloads) (*commonpb.Payloads, error)

// SetQueryHandler registers handler for queries of type queryType, replacing any
// earlier one. handler is a function taking any arguments the data converter can decode
// and returning (result, error) or just error; it must not block.
func SetQueryHandler(ctx Context, queryType string, handler any) error {
	env := envFrom(ctx)
	if queryType == StackTraceQuery || queryType == MetadataQuery {
		return fmt.Errorf("query type %q is reserved", queryType)
	}
	fn := reflect.ValueOf(handler)
	t := fn.Type()
	if t.Kind() != reflect.Func {
		return fmt.Errorf("query handler for %q: %T is not a function", queryType, handler)
	}
	if err := checkResultTypes(t); err != nil {
		return fmt.Errorf("query handler for %q: %w", queryType, err)
	}
	env.queryHandlers[queryType] = func(args *commonpb.Payloads) (*commonpb.Payloads, error) {
		in, err := decodeArgs(env.dataConverter, t, 0, args)
		if err != nil {
			return nil, fmt.Errorf("decoding arguments of query %q: %w", queryType, err)
		}
		return encodeResults(env.dataConverter, fn.Call(in))
	}
	return nil
}

// SetRawQueryHandler registers a handler that works on payloads directly.
func SetRawQueryHandler(ctx Context, queryType string, handler QueryHandler) {
	envFrom(ctx).queryHandlers[queryType] = handler
}

// query answers a query against the current state of the run.
func (e *runEnv) query(queryType string, args *commonpb.Payloads) (result *commonpb.Payloads, err error) {
	if queryType == StackTraceQuery {
		return e.dataConverter.ToPayloads(e.sched.stackTraces())
	}
	if queryType == MetadataQuery {
		return e.metadata()
	}
	handler, ok := e.queryHandlers[queryType]
	if !ok {
		known := make([]string, 0, len(e.queryHandlers)+2)
		known = append(known, StackTraceQuery, MetadataQuery)
		for name := range e.queryHandlers {
			known = append(known, name)
		}
		return nil, fmt.Errorf("unknown query type %q; known types: %v", queryType, sortedStrings(known))
	}
	defer func() {
		if r := recover(); r != nil {
			result, err = nil, fmt.Errorf("query handler %q panicked: %v", queryType, r)
		}
	}()
	return handler(args)
}
