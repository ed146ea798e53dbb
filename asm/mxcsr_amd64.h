// FLUSH_DENORMALS sets MXCSR's DAZ and FTZ (bits 6 and 15), saving the
// caller's MXCSR in the 4-byte frame slot SAVE; RESTORE_MXCSR restores it.
// Between them denormal float inputs count as zero and denormal results
// become zero: a denormal result costs a microcode assist on Intel CPUs (a
// float32 GEMM whose sums fall below 2⁻¹²⁶ ran 137× slower). No Go code may
// run between the two (MXCSR belongs to the thread). Clobbers AX; TMP is
// another 4-byte frame slot.
#define FLUSH_DENORMALS(SAVE, TMP) \
	STMXCSR SAVE; \
	MOVL    SAVE, AX; \
	ORL     $0x8040, AX; \
	MOVL    AX, TMP; \
	LDMXCSR TMP

#define RESTORE_MXCSR(SAVE) LDMXCSR SAVE
