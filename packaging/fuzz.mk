# libFuzzer targets, built with clang: make fuzz builds them, and
# make fuzz-run FUZZTIME=60 fuzzes each for that many seconds.
FUZZCC	 ?= clang
FUZZSRC	 = $(wildcard tests/fuzz/fuzz_*.c)
FUZZBIN	 = $(patsubst tests/fuzz/%.c, build/fuzz/%, $(FUZZSRC))
FUZZLIB	 = $(filter-out src/main.c src/daemon.c src/control.c src/ctlcmd.c \
	   src/ctlout.c, $(wildcard src/*.c))
FUZZTIME ?= 30

build/fuzz/%: tests/fuzz/%.c $(FUZZLIB) $(HDRS)
	@mkdir -p build/fuzz
	$(FUZZCC) -g -O1 -std=gnu11 -D_GNU_SOURCE -Isrc \
	    -I/usr/include/iniparser -I/usr/include/inotifytools \
	    $(shell pkg-config --cflags $(PKGS)) \
	    -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZLIB) \
	    $(LIBS)

fuzz: $(FUZZBIN)

fuzz-run: fuzz
	@for f in $(FUZZBIN); do n=$$(basename $$f | sed s/fuzz_//); \
	    mkdir -p build/fuzz/corpus-$$n; \
	    $$f -max_total_time=$(FUZZTIME) build/fuzz/corpus-$$n \
	    tests/fuzz/seeds/$$n || exit 1; done

.PHONY: fuzz fuzz-run

# Each target over its seeds once: the regression check CI runs (a
# timed fuzzing run finds new inputs, which belongs to people, not CI).
fuzz-seeds: fuzz
	@for f in $(FUZZBIN); do n=$$(basename $$f | sed s/fuzz_//); \
	    $$f -runs=0 tests/fuzz/seeds/$$n || exit 1; done

.PHONY: fuzz-seeds
