//go:build !purego && !noasm

package asm

import "sync"

// amxTileKernel sums C blocks with TDPBF16PS (amx_amd64.s, which says what
// each argument is). Requires AMX-TILE, AMX-BF16 and the tile permission.
//
//go:noescape
func amxTileKernel(cfg *amxConfig, a *uint32, lda int, b *uint32, ldb int, c *float32, ldc int, stripes, nb, kb, flags int)

// hasAMXTiles reports whether this CPU and OS run the tile kernel (decided
// once, like Detect).
func hasAMXTiles() bool { return amxTilesOnce() }

var amxTilesOnce = sync.OnceValue(func() bool { return Detect().reason("amx") == "" })
