# idem: thin wrappers over the go tool. `make help` lists the targets.
GO        ?= go
PKGS      ?= ./...
FUZZTIME  ?= 30s
QEMU      ?= qemu-aarch64-static

.PHONY: help demo bench-table test fault test-short test-purego test-generic test-race test-arm64 vet fuzz bench generate check-generate cross ci reference-lj55 reference-dw4-is quality

help:
	@echo "make demo            train, sample and evaluate GMM-40 (go run ./cmd/idem demo, the README's main command)"
	@echo "make bench-table     print the benchmark table (go run ./cmd/idem-bench)"
	@echo "make test            unit tests, default build"
	@echo "make test-purego     unit tests with -tags purego (generic kernels only)"
	@echo "make test-generic    unit tests with IDEM_IMPL=generic"
	@echo "make test-race       race detector on the concurrent packages (-short)"
	@echo "make test-arm64      arm64 tests of the kernels and the packages that call them, under $(QEMU)"
	@echo "make vet             gofmt, go vet for amd64 and arm64 (with and without purego)"
	@echo "make fuzz            each fuzz target for FUZZTIME=$(FUZZTIME)"
	@echo "make fault           the fault-injection suite with 200 signals at random moments of a write"
	@echo "make bench           go test -bench over everything, -count 10 (use benchstat)"
	@echo "make check-generate  regenerate the avo kernels and fail if they differ"
	@echo "make cross           build for linux/darwin/windows × amd64/arm64, with and without purego"
	@echo "make reference-lj55  generate the LJ-55 MCMC validation and test sets into data/"
	@echo "make reference-dw4-is  generate a chain-free DW-4 reference set (importance resampling) into data/"
	@echo "make quality         run the GMM-40 and DW-4 quality pipelines (idem quality, about 1.5 h on 2 cores) and print the tables"

demo:
	$(GO) run ./cmd/idem demo

bench-table:
	$(GO) run ./cmd/idem-bench

test:
	$(GO) test -count=1 $(PKGS)

# Built binaries against hostile files, absurd flags and 200 signals
# (make test runs the same suite with 20).
fault:
	IDEM_FAULT_SIGNALS=200 $(GO) test -count=1 -v -run 'TestSignals' ./internal/fault
	$(GO) test -count=1 ./internal/fault

test-short:
	$(GO) test -count=1 -short $(PKGS)

test-purego:
	$(GO) test -count=1 -short -tags purego $(PKGS)

test-generic:
	IDEM_IMPL=generic $(GO) test -count=1 -short $(PKGS)

test-race:
	$(GO) test -count=1 -race -short ./engine/... ./asm/... ./lj/...

# Cross-compiled test binaries run under qemu-user; correctness only, never timing.
test-arm64:
	@for p in asm lj engine/mcscore engine/optim mlp egnn; do \
		GOARCH=arm64 $(GO) test -c -o /tmp/idem-$$(echo $$p | tr / -)-arm64.test ./$$p || exit 1; \
		(cd $$p && IDEM_REQUIRE_IMPLS=neon $(QEMU) /tmp/idem-$$(echo $$p | tr / -)-arm64.test -test.short -test.count=1) || exit 1; \
	done

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	GOARCH=arm64 $(GO) vet $(PKGS)
	$(GO) vet -tags purego $(PKGS)
	GOARCH=arm64 $(GO) vet -tags purego $(PKGS)

fuzz:
	@for f in FuzzPairKernels FuzzGELU FuzzSinCos FuzzEGNNKernels; do \
		$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -timeout 0 ./asm || exit 1; \
	done
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) -timeout 0 ./engine/npy
	$(GO) test -run '^$$' -fuzz '^FuzzSidecar$$' -fuzztime $(FUZZTIME) -timeout 0 ./engine/atomicfile
	$(GO) test -run '^$$' -fuzz '^FuzzUnmarshal$$' -fuzztime $(FUZZTIME) -timeout 0 ./engine/param
	$(GO) test -run '^$$' -fuzz '^FuzzUnmarshal$$' -fuzztime $(FUZZTIME) -timeout 0 ./engine/sealed

bench:
	$(GO) test -run '^$$' -bench . -count 10 $(PKGS)

generate:
	cd asm/_gen && $(GO) run . -out ../pair_amd64.s -stubs ../pair_stubs_amd64.go -pkg asm
	cd asm/_gen && $(GO) run . -set avx512 -out ../pair512_amd64.s -stubs ../pair512_stubs_amd64.go -pkg asm

check-generate: generate
	git diff --exit-code -- asm

cross:
	@for os in linux darwin windows; do for arch in amd64 arm64; do for tags in "" purego; do \
		echo "GOOS=$$os GOARCH=$$arch tags=$$tags"; \
		GOOS=$$os GOARCH=$$arch $(GO) build -tags "$$tags" ./... || exit 1; \
	done; done; done

# DW-4 equilibrium sets without Markov chains (importance resampling, ≈ 2.5 min each on 2 cores):
# validation (seed 7) and test (seed 8), the references of idem train/demo -target dw4.
reference-dw4-is:
	mkdir -p data
	$(GO) run ./cmd/idem reference -target dw4 -method is -proposals 4000000000 -n 10000 -seed 7 -out data/dw4-is-reference.npy
	$(GO) run ./cmd/idem reference -target dw4 -method is -proposals 4000000000 -n 10000 -seed 8 -out data/dw4-is-test.npy

# LJ-55 sets (no LJ-55 reference is shipped): validation (seed 1, the
# reference of idem train -target lj55) and test (seed 2).
reference-lj55:
	mkdir -p data
	$(GO) run ./cmd/idem reference -target lj55 -n 2000 -seed 1 -method mala -step 0.02 -steps 20000 -out data/lj55-reference.npy
	$(GO) run ./cmd/idem reference -target lj55 -n 10000 -seed 2 -method mala -step 0.02 -steps 20000 -trace 64 -out data/lj55-test.npy

# The quality tables of issue [quality]: every stage is skipped when its
# output exists in runs/quality, so an interrupted run continues.
quality: data/dw4-is-test.npy
	$(GO) run ./cmd/idem quality -target gmm40
	$(GO) run ./cmd/idem quality -target dw4
	$(GO) run ./cmd/idem-bench -groups quality

data/dw4-is-test.npy:
	$(MAKE) reference-dw4-is
