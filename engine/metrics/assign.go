package metrics

import "math"

// Assigner solves dense square linear assignment problems
//
//	min_σ Σᵢ c[i, σ(i)]   over permutations σ of {0, …, n−1},
//
// by the shortest augmenting path method with dual potentials (Jonker &
// Volgenant 1987; Crouse 2016, "On implementing 2D rectangular assignment
// algorithms", IEEE TAES 52(4)). Each of the n augmentations runs a
// Dijkstra-like search over reduced costs c_ij − u_i − v_j ≥ 0, so the
// solver is exact and O(n³) in the worst case. With uniform weights and
// equal sizes the optimal transport plan is a permutation (Birkhoff), so an
// exact assignment is exact optimal transport.
//
// An Assigner keeps its scratch between calls, so repeated solves of the
// same size do not allocate. It is not safe for concurrent use; give each
// worker its own.
type Assigner struct {
	u, v, shortest  []float64
	path, row4col   []int
	col4row, remain []int
	visitedRows     []int
	sr, sc          []bool
}

func (s *Assigner) grow(n int) {
	if cap(s.u) < n {
		s.u = make([]float64, n)
		s.v = make([]float64, n)
		s.shortest = make([]float64, n)
		s.path = make([]int, n)
		s.row4col = make([]int, n)
		s.col4row = make([]int, n)
		s.remain = make([]int, n)
		s.visitedRows = make([]int, 0, n)
		s.sr = make([]bool, n)
		s.sc = make([]bool, n)
	}
	s.u, s.v, s.shortest = s.u[:n], s.v[:n], s.shortest[:n]
	s.path, s.row4col, s.col4row, s.remain = s.path[:n], s.row4col[:n], s.col4row[:n], s.remain[:n]
	s.sr, s.sc = s.sr[:n], s.sc[:n]
}

// Solve finds an optimal assignment for the n×n row-major cost matrix cost,
// writes it to rowToCol (row i is assigned column rowToCol[i]) and returns
// the optimal total Σᵢ cost[i, rowToCol[i]], summed in row order.
//
// Costs must be finite; rowToCol must have length n. Solve panics if
// len(cost) != n·n or len(rowToCol) != n (programmer errors). n = 0 returns 0.
func (s *Assigner) Solve(cost []float64, n int, rowToCol []int) float64 {
	if n < 0 || len(cost) != n*n {
		panic("metrics: Assigner.Solve: len(cost) != n*n")
	}
	if len(rowToCol) != n {
		panic("metrics: Assigner.Solve: len(rowToCol) != n")
	}
	if n == 0 {
		return 0
	}
	s.grow(n)
	u, v, shortest := s.u, s.v, s.shortest
	path, row4col, col4row, remain := s.path, s.row4col, s.col4row, s.remain
	sr, sc := s.sr, s.sc
	for i := range n {
		u[i], v[i] = 0, 0
		row4col[i], col4row[i] = -1, -1
	}
	inf := math.Inf(1)
	for cur := range n {
		// Dijkstra over reduced costs from the free row cur to a free column.
		for j := range n {
			remain[j] = n - 1 - j
			shortest[j] = inf
			sr[j], sc[j] = false, false
		}
		numRemain := n
		visited := s.visitedRows[:0]
		minVal := 0.0
		i := cur
		sink := -1
		for sink < 0 {
			sr[i] = true
			visited = append(visited, i)
			row := cost[i*n : i*n+n : i*n+n]
			ui := u[i]
			lowest := inf
			idx := -1
			for it := range numRemain {
				j := remain[it]
				r := minVal + row[j] - ui - v[j]
				if r < shortest[j] {
					path[j] = i
					shortest[j] = r
				}
				sj := shortest[j]
				if sj < lowest || (sj == lowest && row4col[j] < 0) {
					lowest = sj
					idx = it
				}
			}
			if idx < 0 || math.IsInf(lowest, 1) {
				panic("metrics: Assigner.Solve: non-finite cost matrix")
			}
			minVal = lowest
			j := remain[idx]
			sc[j] = true
			numRemain--
			remain[idx] = remain[numRemain]
			if row4col[j] < 0 {
				sink = j
			} else {
				i = row4col[j]
			}
		}
		// Update the duals.
		u[cur] += minVal
		for _, r := range visited {
			if r != cur {
				u[r] += minVal - shortest[col4row[r]]
			}
		}
		for j := range n {
			if sc[j] {
				v[j] -= minVal - shortest[j]
			}
		}
		// Augment along the alternating path ending at sink.
		j := sink
		for {
			r := path[j]
			row4col[j] = r
			col4row[r], j = j, col4row[r]
			if r == cur {
				break
			}
		}
		s.visitedRows = visited
	}
	var total float64
	for i := range n {
		rowToCol[i] = col4row[i]
		total += cost[i*n+col4row[i]]
	}
	return total
}

// Assign is a convenience wrapper around a fresh Assigner: it returns an
// optimal assignment of the n×n row-major matrix cost and its total.
func Assign(cost []float64, n int) (rowToCol []int, total float64) {
	var s Assigner
	rowToCol = make([]int, n)
	total = s.Solve(cost, n, rowToCol)
	return rowToCol, total
}
