# Benchmarks: detection quality and replay throughput, with figures and
# ratios against fail2ban-regex. Not part of make check (timed).
.PHONY: bench bench-detect bench-replay

bench: all
	@d=0; r=0; \
	./bench/detect || d=$$?; \
	./bench/replay || r=$$?; \
	test $$d -eq 0 && test $$r -eq 0

bench-detect: all
	./bench/detect

bench-replay: all
	./bench/replay
