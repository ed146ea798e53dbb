package asm

// Lanes is the number of configurations stored side by side in one block.
const Lanes = 4

// Blocks returns the number of lane blocks that hold b configurations.
func Blocks(b int) int { return (b + Lanes - 1) / Lanes }

// Len returns the length of a lane-blocked buffer for b configurations of n
// particles in dim dimensions, padding included.
func Len(n, dim, b int) int { return Blocks(b) * dim * n * Lanes }

// Index returns the position of coordinate d of particle i of configuration c
// in a lane-blocked buffer.
func Index(n, dim, c, i, d int) int {
	return ((c/Lanes*dim+d)*n+i)*Lanes + c%Lanes
}

// Pack copies b row-major configurations src[c·n·dim + i·dim + d] into the
// lane-blocked buffer dst. Padding lanes of the last block are set to the
// last configuration, so that kernels see finite values there.
func Pack(dst, src []float64, n, dim, b int) {
	if len(src) < b*n*dim {
		panic("asm: Pack: len(src) < b*n*dim")
	}
	if len(dst) < Len(n, dim, b) {
		panic("asm: Pack: len(dst) < Len(n, dim, b)")
	}
	for c := 0; c < Blocks(b)*Lanes; c++ {
		sc := min(c, b-1)
		row := src[sc*n*dim : (sc+1)*n*dim]
		for i := 0; i < n; i++ {
			for d := 0; d < dim; d++ {
				dst[Index(n, dim, c, i, d)] = row[i*dim+d]
			}
		}
	}
}

// Unpack copies b configurations from the lane-blocked buffer src into the
// row-major dst[c·n·dim + i·dim + d].
func Unpack(dst, src []float64, n, dim, b int) {
	if len(dst) < b*n*dim {
		panic("asm: Unpack: len(dst) < b*n*dim")
	}
	if len(src) < Len(n, dim, b) {
		panic("asm: Unpack: len(src) < Len(n, dim, b)")
	}
	for c := 0; c < b; c++ {
		row := dst[c*n*dim : (c+1)*n*dim]
		for i := 0; i < n; i++ {
			for d := 0; d < dim; d++ {
				row[i*dim+d] = src[Index(n, dim, c, i, d)]
			}
		}
	}
}
