package cnf

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/ode"
)

// linearField is v(t, x) = A·x, optionally followed by the centring P.
type linearField struct {
	a        []float64 // d × d
	d        int
	meanFree bool
	n, sp    int
}

func (f *linearField) Dim() int { return f.d }

func (f *linearField) apply(out, x []float64, b int) {
	d := f.d
	for r := 0; r < b; r++ {
		for i := 0; i < d; i++ {
			var s float64
			for j := 0; j < d; j++ {
				s += f.a[i*d+j] * x[r*d+j]
			}
			out[r*d+i] = s
		}
		if f.meanFree {
			centre(out[r*d:(r+1)*d], f.n, f.sp)
		}
	}
}

func (f *linearField) trace() float64 {
	var s float64
	for i := 0; i < f.d; i++ {
		s += f.a[i*f.d+i]
	}
	if f.meanFree { // tr(P·A) with A = α·I
		s = s * float64((f.n-1)*f.sp) / float64(f.n*f.sp)
	}
	return s
}

func (f *linearField) Velocity(out, x, _ []float64, b int) error { f.apply(out, x, b); return nil }

func (f *linearField) Divergence(out, div, x, _ []float64, b int) error {
	if out != nil {
		f.apply(out, x, b)
	}
	for r := 0; r < b; r++ {
		div[r] = f.trace()
	}
	return nil
}

func (f *linearField) JVP(out, jv, x, _, u []float64, b int) error {
	if out != nil {
		f.apply(out, x, b)
	}
	f.apply(jv, u, b)
	return nil
}

// rotScale is A = [[α, −β, 0], [β, α, 0], [0, 0, c]]: exp(A) is e^α times a
// rotation on the first two coordinates and e^c on the third, so a prior
// N(0, σ²I) is carried to N(0, diag(σ²e^{2α}, σ²e^{2α}, σ²e^{2c})).
func rotScale(alpha, beta, c float64) *linearField {
	return &linearField{d: 3, a: []float64{alpha, -beta, 0, beta, alpha, 0, 0, 0, c}}
}

func gaussLog(x []float64, sd []float64) float64 {
	var s float64
	for i, v := range x {
		s += -v*v/(2*sd[i]*sd[i]) - 0.5*math.Log(2*math.Pi*sd[i]*sd[i])
	}
	return s
}

func TestLogDensityLinearGaussian(t *testing.T) {
	const alpha, beta, c, sigma = 0.4, 1.3, -0.7, 2.0
	f := rotScale(alpha, beta, c)
	pr := Prior{N: 1, D: 3, Std: sigma}
	sd := []float64{sigma * math.Exp(alpha), sigma * math.Exp(alpha), sigma * math.Exp(c)}
	s := engine.NewStream(5)
	const rows = 300
	x := make([]float64, rows*3)
	for i := range x {
		x[i] = 3 * s.Norm()
	}
	for _, tol := range []float64{1e-5, 1e-9} {
		logq, st, err := LogDensity(context.Background(), f, pr, x, rows, DensityOptions{Atol: tol, Rtol: tol, Rows: 128})
		if err != nil {
			t.Fatal(err)
		}
		if st.Solves != 3 || st.Method != "exact" || st.Fallbacks != 0 {
			t.Errorf("stats %+v", st)
		}
		worst := 0.0
		for r := 0; r < rows; r++ {
			worst = max(worst, math.Abs(logq[r]-gaussLog(x[r*3:(r+1)*3], sd)))
		}
		// The error scales with the tolerance (about 10·tol here).
		if worst > 200*tol {
			t.Errorf("tol %g: worst |log q − exact| = %g", tol, worst)
		}
		t.Logf("tol %g: worst error %.3g nats, %d evaluations", tol, worst, st.Evals)
	}
}

func TestHutchinsonUnbiased(t *testing.T) {
	const alpha, beta, c, sigma = 0.4, 1.3, -0.7, 2.0
	f := rotScale(alpha, beta, c)
	pr := Prior{N: 1, D: 3, Std: sigma}
	sd := []float64{sigma * math.Exp(alpha), sigma * math.Exp(alpha), sigma * math.Exp(c)}
	s := engine.NewStream(6)
	const rows, probes = 4000, 2
	x := make([]float64, rows*3)
	for i := range x {
		x[i] = 3 * s.Norm()
	}
	logq, st, err := LogDensity(context.Background(), f, pr, x, rows, DensityOptions{Probes: probes, Seed: 9, Rows: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if st.Method != "hutchinson-2" {
		t.Errorf("method %q", st.Method)
	}
	// With a constant Jacobian and probes fixed along the path, the error of
	// row r is −(ε̄ᵀAε̄ − tr A) over the unit time: mean 0, variance
	// 2‖sym A‖²_F / P.
	var m, v float64
	for r := 0; r < rows; r++ {
		e := logq[r] - gaussLog(x[r*3:(r+1)*3], sd)
		m += e
		v += e * e
	}
	m /= rows
	v = v/rows - m*m
	want := 2 * (2*alpha*alpha + c*c) / probes
	if se := math.Sqrt(want / rows); math.Abs(m) > 4*se {
		t.Errorf("mean error %g, standard error %g", m, se)
	}
	if math.Abs(v/want-1) > 0.15 {
		t.Errorf("error variance %g, want %g", v, want)
	}
}

func TestMeanFreeLinear(t *testing.T) {
	// v = α·P·x on N = 4 particles in 2-D: x(1) = e^α·x(0), so q is the
	// mean-free Gaussian of standard deviation σe^α on 6 dimensions.
	const alpha, sigma = 0.3, 2.0
	n, sp := 4, 2
	d := n * sp
	a := make([]float64, d*d)
	for i := 0; i < d; i++ {
		a[i*d+i] = alpha
	}
	f := &linearField{a: a, d: d, meanFree: true, n: n, sp: sp}
	pr := Prior{N: n, D: sp, Std: sigma, MeanFree: true}
	want := Prior{N: n, D: sp, Std: sigma * math.Exp(alpha), MeanFree: true}
	const rows = 50
	x := make([]float64, rows*d)
	s := engine.NewStream(7)
	pr.Draw(x, rows, &s)
	for _, probes := range []int{0, 3} {
		logq, _, err := LogDensity(context.Background(), f, pr, x, rows, DensityOptions{Probes: probes, Atol: 1e-9, Rtol: 1e-9})
		if err != nil {
			t.Fatal(err)
		}
		// The exact trace is exact. On a mean-free probe ε, εᵀ(αP)ε = α‖ε‖²
		// with ‖ε‖² ~ χ² on (N−1)·D = 6 dimensions, so the Hutchinson error
		// of a row has mean 0 and variance α²·2·6/P.
		var mean float64
		for r := 0; r < rows; r++ {
			e := logq[r] - want.LogProb(x[r*d:(r+1)*d])
			if probes == 0 && math.Abs(e) > 1e-6 {
				t.Fatalf("row %d: error %g", r, e)
			}
			mean += e / rows
		}
		if probes > 0 {
			se := alpha * math.Sqrt(2*6/float64(probes)/rows)
			if math.Abs(mean) > 4*se {
				t.Errorf("Hutchinson on the mean-free subspace: mean error %g, standard error %g", mean, se)
			}
		}
	}
}

func TestSampleCarriesLogDensity(t *testing.T) {
	const alpha, beta, c, sigma = 0.4, 1.3, -0.7, 2.0
	f := rotScale(alpha, beta, c)
	pr := Prior{N: 1, D: 3, Std: sigma}
	sd := []float64{sigma * math.Exp(alpha), sigma * math.Exp(alpha), sigma * math.Exp(c)}
	const n = 3000
	x, logq, _, err := Sample(context.Background(), f, pr, n, 3, DensityOptions{Rows: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var m2 [3]float64
	for r := 0; r < n; r++ {
		if e := math.Abs(logq[r] - gaussLog(x[r*3:(r+1)*3], sd)); e > 1e-3 {
			t.Fatalf("row %d: log q off by %g", r, e)
		}
		for i := 0; i < 3; i++ {
			m2[i] += x[r*3+i] * x[r*3+i] / n
		}
	}
	for i := 0; i < 3; i++ {
		if math.Abs(m2[i]/(sd[i]*sd[i])-1) > 0.1 {
			t.Errorf("coordinate %d: variance %g, want %g", i, m2[i], sd[i]*sd[i])
		}
	}
	// Same seed, other batch size: the same prior draws, so nearly the same
	// samples (the step sizes differ).
	x2, _, _, err := Sample(context.Background(), f, pr, n, 3, DensityOptions{Rows: 700})
	if err != nil {
		t.Fatal(err)
	}
	for i := range x {
		if math.Abs(x[i]-x2[i]) > 1e-3*(1+math.Abs(x[i])) {
			t.Fatalf("value %d: %g vs %g", i, x[i], x2[i])
		}
	}
}

// TestDW4LogDensityMatchesJacobian holds the exact-divergence log q of a DW-4
// EGNN flow against log p_prior(x(0)) + log|det ∂x(0)/∂x(1)|, the Jacobian
// by float64 central differences over an orthonormal basis of the mean-free
// subspace, along the same trajectory (both solved at tolerance 10⁻¹⁰).
//
// With $IDEM_FLOW_CKPT naming a molecule flow checkpoint (idem flow train),
// the flow checked is that one instead.
func TestDW4LogDensityMatchesJacobian(t *testing.T) {
	if p := os.Getenv("IDEM_FLOW_CKPT"); p != "" {
		fl, err := Open(p, nil, nil, 2)
		if err != nil {
			t.Fatal(err)
		}
		defer fl.Close()
		fl.UseBest()
		checkJacobian(t, fl)
		return
	}
	// A DW-4 flow trained briefly from the prior (σ_p = 2) toward a
	// tighter, anisotropic set, so that the flow is far from the identity.
	cfg, _ := Default("dw4")
	cfg.Float32, cfg.Batch, cfg.Steps, cfg.ValEvery, cfg.Width = false, 128, 150, 0, 64
	if testing.Short() {
		cfg.Steps, cfg.Width = 60, 32
	}
	d := cfg.Dim()
	data := make([]float64, 2000*d)
	ds := engine.NewStream(12)
	for r := 0; r < 2000; r++ {
		for i := 0; i < d; i++ {
			data[r*d+i] = ds.Norm() * (0.4 + 0.3*float64(i%cfg.D))
		}
		data[r*d] += 1.5
	}
	fl, err := New(cfg, data, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	if err := fl.Train(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
	checkJacobian(t, fl)
}

func checkJacobian(t *testing.T, fl *Flow) {
	cfg := fl.Config()
	d := cfg.Dim()
	fld, pool := fl.field, fl.pool
	pr := cfg.Prior()
	const tol = 1e-10
	opt := DensityOptions{Atol: tol, Rtol: tol, Rows: 1, MaxEvals: 100000, Pool: pool}
	basis := meanFreeBasis(cfg.N, cfg.D)
	s := engine.NewStream(11)
	for trial := 0; trial < 3; trial++ {
		x1 := make([]float64, d)
		pr.Draw(x1, 1, &s)
		logq, st, err := LogDensity(context.Background(), fld, pr, x1, 1, opt)
		if err != nil {
			t.Fatal(err)
		}
		back := func(x []float64) []float64 {
			y := append([]float64(nil), x...)
			tt := make([]float64, 1)
			_, err := ode.Solve(func(t float64, y, dy []float64, rows int) error {
				tt[0] = t
				return fld.Velocity(dy, y, tt, 1)
			}, y, d, 1, 1, 0, ode.Options{Atol: tol, Rtol: tol, MaxEvals: 100000})
			if err != nil {
				t.Fatal(err)
			}
			return y
		}
		x0 := back(x1)
		const h = 1e-4
		k := len(basis)
		jac := make([]float64, k*k) // Qᵀ·J·Q
		for j, q := range basis {
			xp, xm := append([]float64(nil), x1...), append([]float64(nil), x1...)
			for i := range q {
				xp[i] += h * q[i]
				xm[i] -= h * q[i]
			}
			yp, ym := back(xp), back(xm)
			for i, qi := range basis {
				var v float64
				for l := range qi {
					v += qi[l] * (yp[l] - ym[l]) / (2 * h)
				}
				jac[i*k+j] = v
			}
		}
		ld := logAbsDet(jac, k)
		if math.Abs(ld) < 1 {
			t.Errorf("trial %d: log|det| = %g: the flow is too close to the identity for this test", trial, ld)
		}
		brute := pr.LogProb(x0) + ld
		if e := math.Abs(logq[0] - brute); e > 1e-4 {
			t.Errorf("trial %d: exact-divergence log q %.9f, brute-force %.9f (|Δ| = %.2g)", trial, logq[0], brute, e)
		} else {
			t.Logf("trial %d: log q %.9f, brute force %.9f, |Δ| = %.2g nats, %d evaluations, log det = %.4f", trial, logq[0], brute, e, st.Evals, logAbsDet(jac, k))
		}
	}
}

// meanFreeBasis returns an orthonormal basis of {x : Σᵢ xᵢ = 0 per axis}.
func meanFreeBasis(n, sp int) [][]float64 {
	d := n * sp
	var basis [][]float64
	for k := 0; k < d && len(basis) < (n-1)*sp; k++ {
		v := make([]float64, d)
		v[k] = 1
		centre(v, n, sp)
		for _, b := range basis {
			var dot float64
			for i := range v {
				dot += v[i] * b[i]
			}
			for i := range v {
				v[i] -= dot * b[i]
			}
		}
		var nrm float64
		for _, x := range v {
			nrm += x * x
		}
		if nrm < 1e-12 {
			continue
		}
		nrm = math.Sqrt(nrm)
		for i := range v {
			v[i] /= nrm
		}
		basis = append(basis, v)
	}
	return basis
}

// logAbsDet is log|det A| by Gaussian elimination with partial pivoting.
func logAbsDet(a []float64, n int) float64 {
	m := append([]float64(nil), a...)
	var s float64
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r*n+c]) > math.Abs(m[p*n+c]) {
				p = r
			}
		}
		for j := 0; j < n; j++ {
			m[c*n+j], m[p*n+j] = m[p*n+j], m[c*n+j]
		}
		piv := m[c*n+c]
		s += math.Log(math.Abs(piv))
		for r := c + 1; r < n; r++ {
			f := m[r*n+c] / piv
			for j := c; j < n; j++ {
				m[r*n+j] -= f * m[c*n+j]
			}
		}
	}
	return s
}

// TestProgressWithinSolves: Progress counts rows as each solve advances,
// never goes back, and ends at every solve's boundary.
func TestProgressWithinSolves(t *testing.T) {
	f := rotScale(0.4, 1.3, -0.7)
	pr := Prior{N: 1, D: 3, Std: 2}
	const rows = 300
	x := make([]float64, rows*3)
	s := engine.NewStream(9)
	for i := range x {
		x[i] = 3 * s.Norm()
	}
	var seen []int
	opt := DensityOptions{Atol: 1e-9, Rtol: 1e-9, Rows: 128, Progress: func(done, total int) {
		if total != rows {
			t.Fatalf("total %d", total)
		}
		seen = append(seen, done)
	}}
	want, _, err := LogDensity(context.Background(), f, pr, x, rows, DensityOptions{Atol: 1e-9, Rtol: 1e-9, Rows: 128})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := LogDensity(context.Background(), f, pr, x, rows, opt)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("row %d: log q %v with progress, %v without", i, got[i], want[i])
		}
	}
	within := 0
	for i, d := range seen {
		if i > 0 && d <= seen[i-1] {
			t.Fatalf("progress went from %d to %d: %v", seen[i-1], d, seen)
		}
		if d != 128 && d != 256 && d != rows {
			within++
		}
	}
	if seen[len(seen)-1] != rows || within == 0 {
		t.Errorf("progress %v: want reports within the solves and %d at the end", seen, rows)
	}
}
