package workflow

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
)

type randomKey struct{}

// Random returns the workflow's deterministic random number generator: seeded from the
// run's original run id, so every replay draws the same numbers in the same order.
// Draw from it only in workflow code, in a deterministic order.
func Random(ctx Context) *rand.Rand {
	return runtimeOf(ctx).RunValue(ctx, randomKey{}, func() any {
		h := fnv.New64a()
		_, _ = h.Write([]byte(GetInfo(ctx).OriginalRunID))
		seed := h.Sum64()
		return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	}).(*rand.Rand)
}

// NewUUID returns a random (version 4) UUID drawn from Random, the same on every replay.
func NewUUID(ctx Context) string {
	r := Random(ctx)
	var b [16]byte
	for i := 0; i < len(b); i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
