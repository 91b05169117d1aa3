# abusemom: build, test and packaging entry points.

PREFIX	?= /usr
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DESTDIR	?=

CC	?= cc
PKGS	 = libnftnl libmnl libmaxminddb sqlite3 libpcre2-8 json-c libsystemd
WARN	 = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wformat=2 -Wimplicit-fallthrough
BASEFLAGS = -std=gnu11 -D_GNU_SOURCE -O2 -g -Isrc -I/usr/include/iniparser \
	   -I/usr/include/inotifytools
ifeq ($(SANITIZE),1)
BUILD	 = build/san
BASEFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
SANLD	 = -fsanitize=address,undefined
else
BUILD	 = build
endif
# CFLAGS and LDFLAGS from the command line add to ours.
ALLCFLAGS = $(BASEFLAGS) $(WARN) \
	   $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
LIBS	 = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -liniparser \
	   -linotifytools -lm
ALLLDFLAGS = $(SANLD) $(LDFLAGS)

LIBSRC	 = $(filter-out src/main.c, $(wildcard src/*.c))
LIBOBJ	 = $(patsubst src/%.c, $(BUILD)/obj/%.o, $(LIBSRC))
CTLSRC	 = $(wildcard abusemom-ctl/*.c)
CTLOBJ	 = $(patsubst abusemom-ctl/%.c, $(BUILD)/obj/ctl-%.o, $(CTLSRC))
TESTSRC	 = $(wildcard tests/unit/test_*.c)
TESTS	 = $(patsubst tests/unit/%.c, $(BUILD)/tests/%, $(TESTSRC))
HDRS	 = $(wildcard src/*.h abusemom-ctl/*.h tests/unit/*.h)

all: $(BUILD)/abusemomd $(BUILD)/abusemom-ctl

$(BUILD)/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c -o $@ $<

$(BUILD)/obj/ctl-%.o: abusemom-ctl/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c -o $@ $<

$(BUILD)/libabusemom.a: $(LIBOBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/abusemomd: $(BUILD)/obj/main.o $(BUILD)/libabusemom.a
	$(CC) $(ALLLDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/abusemom-ctl: $(CTLOBJ) $(BUILD)/libabusemom.a
	$(CC) $(ALLLDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libabusemom.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(ALLLDFLAGS) -o $@ $< $(BUILD)/libabusemom.a \
	    $(LIBS) -lcmocka

tests: $(TESTS)

deps:
	@sh packaging/deps.sh

# Every test: unit binaries, corpus, namespace and daemon scripts.
check: all tests
	@BUILD=$(BUILD) SKIP="$(SKIP)" sh tests/run.sh

check-unit: all tests
	@BUILD=$(BUILD) ONLY=unit sh tests/run.sh

demo: all
	@sh tests/demo.sh

style:
	@sh tests/style.sh

clean:
	rm -rf build

.PHONY: all tests deps check check-unit demo style clean

# Packaging and install targets live beside the packaging files.
-include packaging/*.mk
