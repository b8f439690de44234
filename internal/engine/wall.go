package engine

import "time"

// wallNow is the network's time, used only for long-poll windows, which the
// caller's gRPC deadline (a wall-clock instant) bounds. Everything about
// workflows uses the engine's clock.
func wallNow() time.Time { return time.Now() }
