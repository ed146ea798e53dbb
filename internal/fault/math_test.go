package fault

import "math"

func mathFloat64bits(x float64) uint64 { return math.Float64bits(x) }
