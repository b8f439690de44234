package frontend_test

import (
	"math"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// fuzzInput hands out the fuzzer's bytes one decision at a time. Once they run
// out every decision reads zero, which means "leave the field unset", so short
// inputs give small requests.
type fuzzInput struct {
	data []byte
	pos  int
}

func (in *fuzzInput) byte() byte {
	if in.pos >= len(in.data) {
		return 0
	}
	b := in.data[in.pos]
	in.pos++
	return b
}

func (in *fuzzInput) uint64() uint64 {
	var v uint64
	for range 8 {
		v = v<<8 | uint64(in.byte())
	}
	return v
}

// take returns up to n of the remaining bytes.
func (in *fuzzInput) take(n int) []byte {
	n = min(n, len(in.data)-in.pos)
	if n <= 0 {
		return nil
	}
	b := in.data[in.pos : in.pos+n]
	in.pos += n
	return b
}

// fuzzPools are the values worth trying besides random ones: names and ids that
// exist on the server, real task tokens, and sizes past every limit.
type fuzzPools struct {
	namespace   string
	taskQueue   string
	workflowIDs []string
	runIDs      []string
	strings     []string
	tokens      [][]byte
}

// requestGen fills a request's fields from a fuzzInput, through protobuf
// reflection, so every field of every RPC is reached without per-RPC code.
type requestGen struct {
	in     *fuzzInput
	pools  *fuzzPools
	budget int // fields left to set; bounds the size of recursive messages
}

// maxDepth bounds nesting (Failure.cause, for one, nests without end).
const maxDepth = 5

// fill sets some of m's fields, chosen by the input.
func (g *requestGen) fill(m protoreflect.Message, depth int) {
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len() && g.budget > 0; i++ {
		fd := fields.Get(i)
		if g.in.byte()%4 == 0 {
			continue // absent
		}
		if oneof := fd.ContainingOneof(); oneof != nil && !oneof.IsSynthetic() && m.WhichOneof(oneof) != nil {
			continue // one member of a oneof is enough
		}
		if fd.Message() != nil && depth >= maxDepth {
			continue
		}
		g.budget--
		switch {
		case fd.IsList():
			list := m.Mutable(fd).List()
			for n := int(g.in.byte() % 4); n > 0; n-- {
				list.Append(g.element(fd, list.NewElement, depth))
			}
		case fd.IsMap():
			mp := m.Mutable(fd).Map()
			for n := int(g.in.byte() % 3); n > 0; n-- {
				key := g.scalar(fd.MapKey()).MapKey()
				mp.Set(key, g.element(fd.MapValue(), mp.NewValue, depth))
			}
		default:
			m.Set(fd, g.element(fd, func() protoreflect.Value { return m.NewField(fd) }, depth))
		}
	}
}

// element is one value of fd's kind; newMessage makes an empty message of the
// right type where fd holds messages.
func (g *requestGen) element(fd protoreflect.FieldDescriptor, newMessage func() protoreflect.Value, depth int) protoreflect.Value {
	if fd.Message() == nil {
		return g.scalar(fd)
	}
	v := newMessage()
	g.fill(v.Message(), depth+1)
	return v
}

// scalar is a value of a non-message field, taken from the interesting values of
// its kind.
func (g *requestGen) scalar(fd protoreflect.FieldDescriptor) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(g.in.byte()%2 == 1)
	case protoreflect.EnumKind:
		return protoreflect.ValueOfEnum(g.enum(fd.Enum()))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(g.integer()))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(g.integer())
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(g.integer()))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(uint64(g.integer()))
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(g.float()))
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(g.float())
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(g.string(fd))
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes(g.bytes())
	}
	return fd.Default()
}

// enum is a defined value of e, or one out of its range.
func (g *requestGen) enum(e protoreflect.EnumDescriptor) protoreflect.EnumNumber {
	b := g.in.byte()
	values := e.Values()
	switch b % 8 {
	case 0:
		return -1
	case 1:
		return protoreflect.EnumNumber(values.Len() + int(b))
	case 2:
		return math.MaxInt32
	}
	return values.Get(int(b) % values.Len()).Number()
}

// integer is zero, one, a boundary, a size past a limit, or random bits.
func (g *requestGen) integer() int64 {
	b := g.in.byte()
	interesting := []int64{0, 1, -1, 2, 10, 1000, 1 << 20, math.MaxInt32, math.MinInt32, math.MaxInt64, math.MinInt64, 999_999_999, -999_999_999}
	if int(b) < len(interesting)*16 {
		return interesting[int(b)%len(interesting)]
	}
	return int64(g.in.uint64())
}

// float is zero, a boundary, NaN, an infinity, or random bits.
func (g *requestGen) float() float64 {
	b := g.in.byte()
	interesting := []float64{0, 1, -1, 0.5, 2, math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.SmallestNonzeroFloat64, 1e-9}
	if int(b) < len(interesting)*16 {
		return interesting[int(b)%len(interesting)]
	}
	return math.Float64frombits(g.in.uint64())
}

// string is an existing name or id, empty, huge, or random (valid UTF-8: the
// protobuf encoder refuses anything else; invalidUTF8 sends that separately).
// Namespace fields mostly name the namespace that exists, so calls go deep.
func (g *requestGen) string(fd protoreflect.FieldDescriptor) string {
	b := g.in.byte()
	if v, ok := g.named(fd, b); ok {
		return v
	}
	switch b % 8 {
	case 0:
		return ""
	case 1:
		return strings.Repeat("x", 1<<10+int(g.in.byte())<<8) // 1 KiB to 65 KiB: past every name limit
	case 2:
		return strings.ToValidUTF8(string(g.in.take(int(g.in.byte()%64))), "?")
	}
	return g.pools.strings[int(g.in.byte())%len(g.pools.strings)]
}

// named picks, for most values of b, a value that exists on the server for a
// field whose name says what it holds, so inputs get past "not found" often.
func (g *requestGen) named(fd protoreflect.FieldDescriptor, b byte) (string, bool) {
	if b%8 == 0 {
		return "", false
	}
	pick := func(from []string) (string, bool) { return from[int(b/8)%len(from)], true }
	switch {
	case fd.Name() == "namespace":
		return g.pools.namespace, true
	case strings.HasSuffix(string(fd.Name()), "workflow_id"):
		return pick(g.pools.workflowIDs)
	case strings.HasSuffix(string(fd.Name()), "run_id") && b%2 == 1:
		return pick(g.pools.runIDs)
	case fd.Name() == "name" && fd.ContainingMessage().FullName() == "temporal.api.taskqueue.v1.TaskQueue":
		return g.pools.taskQueue, true
	}
	return "", false
}

// bytes is a real task token, a garbled one, random bytes, empty or huge.
func (g *requestGen) bytes() []byte {
	b := g.in.byte()
	switch {
	case b%8 == 0:
		return nil
	case b%8 == 1:
		return make([]byte, 1<<16+int(g.in.byte())<<8)
	case b%8 == 2:
		return append([]byte(nil), g.in.take(int(g.in.byte()%64))...)
	case len(g.pools.tokens) == 0:
		return []byte("token")
	}
	token := append([]byte(nil), g.pools.tokens[int(g.in.byte())%len(g.pools.tokens)]...)
	if b%8 == 3 && len(token) > 0 { // garbled: one byte changed
		token[int(g.in.byte())%len(token)] ^= 1 + g.in.byte()%255
	}
	return token
}

// encode marshals m and, when the input asks, appends a second copy of one of
// its top-level string fields holding invalid UTF-8 (on the wire the last copy
// wins), which the protobuf encoder would not produce itself.
func (g *requestGen) encode(m proto.Message) ([]byte, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return nil, err
	}
	if g.in.byte()%16 != 15 {
		return b, nil
	}
	fields := m.ProtoReflect().Descriptor().Fields()
	var strs []protoreflect.FieldDescriptor
	for i := 0; i < fields.Len(); i++ {
		if fd := fields.Get(i); fd.Kind() == protoreflect.StringKind && !fd.IsMap() {
			strs = append(strs, fd)
		}
	}
	if len(strs) == 0 {
		return b, nil
	}
	fd := strs[int(g.in.byte())%len(strs)]
	bad := []byte("bad\xff\xfe utf-8")
	if utf8.Valid(bad) {
		panic("invalid UTF-8 sample is valid")
	}
	b = protowire.AppendTag(b, fd.Number(), protowire.BytesType)
	return protowire.AppendBytes(b, bad), nil
}
