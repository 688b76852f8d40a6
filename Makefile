# zstack-tna — `make` builds, `make test` installs what it needs and runs every test,
# `make demo` shows it working, `make bench` measures.

BUILD   ?= build
CC      ?= gcc
CLANG   ?= clang
PKGS    := libbpf libmnl jansson
ARCH_INC := /usr/include/$(shell gcc -dumpmachine)

CFLAGS  ?= -O2 -g
override CFLAGS += -std=gnu11 -Wall -Wextra -Werror -I. -MMD -MP \
		   -DTNA_SRC_DIR='"$(CURDIR)"' -DTNA_MULTIARCH='"$(shell gcc -dumpmachine)"' \
		   $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lelf -lz -lpthread
BPF_CFLAGS := -O2 -g -Wall -Werror -target bpf -I. -I$(ARCH_INC) -D__TARGET_ARCH_x86

MAINS        := controller/zstack-tna.c controller/tnactl.c
LIB_SRCS     := $(sort $(wildcard introspect/*.c assembler/*.c) \
			$(filter-out %.bpf.c,$(wildcard bpf/*.c)) \
			$(filter-out $(MAINS),$(wildcard controller/*.c)))
ZSTACK_SRCS  := $(sort $(wildcard zstack/*.c))
EXAMPLE_SRCS := $(sort $(wildcard examples/*.c))
BPF_SRCS     := $(sort $(wildcard bpf/*.bpf.c))

LIB_OBJS     := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
ZSTACK_OBJS  := $(ZSTACK_SRCS:%.c=$(BUILD)/obj/%.o)
BPF_OBJS     := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/bpf/%.bpf.o)
EXAMPLES     := $(EXAMPLE_SRCS:examples/%.c=$(BUILD)/%)

UNIT_TESTS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/*.c))
ZSTACK_TESTS := $(patsubst tests/zstack/%.c,$(BUILD)/tests/zstack/%,$(wildcard tests/zstack/*.c))
FPM_TESTS    := $(patsubst tests/fpm/%.c,$(BUILD)/tests/fpm/%,$(filter-out %.bpf.c,$(wildcard tests/fpm/*.c)))
FPM_TEST_BPF := $(patsubst tests/fpm/%.bpf.c,$(BUILD)/tests/fpm/%.bpf.o,$(wildcard tests/fpm/*.bpf.c))
# libFuzzer targets: tests/zstack/fuzz_*.c built with clang and sanitizers,
# instrumented together with the zstack sources they drive.
FUZZERS      := $(patsubst tests/zstack/%.c,$(BUILD)/fuzz/%,$(wildcard tests/zstack/fuzz_*.c))
FUZZ_CFLAGS  := -std=gnu11 -O1 -g -I. -DZSTACK_LIBFUZZER -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined
TOOLS        := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(filter-out %.bpf.c,$(wildcard tests/tools/*.c)))
TOOLS_BPF    := $(patsubst tests/tools/%.bpf.c,$(BUILD)/tools/%.bpf.o,$(wildcard tests/tools/*.bpf.c))

all: $(BUILD)/zstack-tna $(BUILD)/tnactl $(BPF_OBJS) $(EXAMPLES)

tests: all $(UNIT_TESTS) $(ZSTACK_TESTS) $(FPM_TESTS) $(FPM_TEST_BPF) $(TOOLS) $(TOOLS_BPF) \
	$(FUZZERS)

$(BUILD)/libtna.a: $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libzstack.a: $(ZSTACK_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/zstack-tna: $(BUILD)/obj/controller/zstack-tna.o $(BUILD)/libtna.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tnactl: $(BUILD)/obj/controller/tnactl.o $(BUILD)/libtna.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%: $(BUILD)/obj/examples/%.o $(BUILD)/libzstack.a $(BUILD)/libtna.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h fpm/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/libtna.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/zstack/%: $(BUILD)/obj/tests/zstack/%.o $(BUILD)/libzstack.a $(BUILD)/libtna.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/fpm/%: $(BUILD)/obj/tests/fpm/%.o $(BUILD)/libtna.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/fpm/%.bpf.o: tests/fpm/%.bpf.c $(wildcard bpf/*.h bpf/*.bpf.c fpm/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c -o $@ $<

$(BUILD)/tools/%: $(BUILD)/obj/tests/tools/%.o $(BUILD)/libzstack.a $(BUILD)/libtna.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/fuzz/%: tests/zstack/%.c $(ZSTACK_SRCS) $(wildcard zstack/*.h tests/zstack/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(ZSTACK_SRCS) $(LDLIBS)

$(BUILD)/tools/%.bpf.o: tests/tools/%.bpf.c $(wildcard bpf/*.h fpm/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c -o $@ $<

# Installs the Debian packages the build, the tests and the demo need.
deps:
	@scripts/deps.sh

test: deps
	@$(MAKE) --no-print-directory tests
	@tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@examples/demo.sh

bench: deps
	@$(MAKE) --no-print-directory tests
	@tests/bench/run.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)

.PHONY: all tests deps test demo bench format clean
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
