package asm

import (
	"os"
	"strings"
	"testing"
)

// requireImpl is asmtest.Require for the package's internal tests (which
// cannot import asmtest): it returns the implementation called name, or
// skips naming the missing unit, or fails when $IDEM_REQUIRE_IMPLS lists
// the name.
func requireImpl(t testing.TB, name string) *Impl {
	t.Helper()
	if err := Unavailable(name); err != nil {
		for _, r := range strings.Split(os.Getenv("IDEM_REQUIRE_IMPLS"), ",") {
			if strings.TrimSpace(r) == name {
				t.Fatalf("required by IDEM_REQUIRE_IMPLS: %v", err)
			}
		}
		t.Skipf("skipped: %v", err)
	}
	im, err := ByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return im
}
