# terraform-provider-lambdavpc - one plain Makefile.
#
#   make              build build/terraform-provider-lambdavpc
#   make test         install deps if missing, unit tests (ASan+UBSan), valgrind, e2e; ends "N passed, N failed"
#   make unit         unit tests only (ASan+UBSan build in build/san)
#   make test-valgrind  unit tests under valgrind
#   make package      build/terraform-provider-lambdavpc_<VERSION>_linux_amd64.zip + _SHA256SUMS
#   make mirror       the zip in build/mirror (packed layout) + write build/terraformrc
#   make demo         build, install, start moto, apply examples/basic
#   make bench        start-up / RSS / schema timings and scale rows vs hashicorp/aws
#   make hot-symbols  re-measure which functions a provider process runs (tools/link/hot-symbols.txt)
#   make fuzz         each libFuzzer target for FUZZ_SECONDS (tests/fuzz); fuzz-replay: the test suite
#   make lint depcheck symcheck headercheck format-check
#
# Everything generated goes to build/. Sources are found by wildcard: a new
# file in a module folder is built without touching this file.

# Debian packages the build needs (installed by `make deps`, used by .ci/run).
DEB_PACKAGES := build-essential pkg-config libgrpc-dev libprotobuf-c-dev protobuf-c-compiler \
  libssl-dev libjansson-dev libmsgpack-dev valgrind zip unzip \
  openssl jq curl cppcheck clang-format gpg clang-14 libclang-rt-14-dev lld

MAKEFLAGS += --no-builtin-rules
.SUFFIXES:

# The one version source (semantic versioning): build, log line, package, docs.
VERSION  := $(shell cat VERSION)
CC       ?= gcc
PKGS     := grpc libprotobuf-c openssl jansson msgpack
B        ?= build
SAN      ?=
OPT      ?= -O2

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wshadow
CPPFLAGS := -D_GNU_SOURCE -Isrc -Iprovider -I$(B)/gen -I$(B)/gen/proto -Itests/harness
CFLAGS   := -std=c11 $(OPT) -g -ffunction-sections $(WARN) -MMD -MP $(SAN)
# Without sanitizers, gRPC core (with abseil, upb, re2, c-ares, zlib),
# protobuf-c, jansson, msgpack, OpenSSL and libstdc++ are linked statically:
# mapping ~55 shared libraries and resolving ~13,000 more symbols at exec was
# most of the start-up time and RSS (issue 13), and a shared libcrypto kept
# 4 MiB of its text resident in every provider process (the hot code cannot
# be grouped inside a shared library; see BIN_LAYOUT). The binary needs
# glibc only. An OpenSSL security fix therefore needs a rebuild, as it did
# for the released zip before, which carried its own copy of the library.
# Sanitizer builds link dynamically.
STATIC_PKGS = grpc libprotobuf-c jansson msgpack
STATIC_LIBS = $(filter-out -lssl -lcrypto -ldl -lrt -latomic -pthread -Wl%, \
                $(shell pkg-config --static --libs $(STATIC_PKGS) 2>/dev/null))
ifeq ($(SAN),)
LDLIBS    = -Wl,--gc-sections -Wl,-Bstatic $(STATIC_LIBS) -lstdc++ \
            $(shell pkg-config --libs openssl 2>/dev/null) -Wl,-Bdynamic \
            -static-libgcc -latomic -lpthread -lm
else
LDLIBS    = $(PKG_LIBS) -lpthread -lm
endif
ifneq ($(SAN),)
LDFLAGS  += $(SAN)
endif
# The provider binary is linked by lld with the functions a provider process
# runs placed together (tools/link/hot-symbols.txt, made by
# tools/hot_symbols.sh): the kernel maps 64 KiB of file around each page a
# process touches, so hot code spread over 5 MiB of text costs MiB of RSS in
# every provider process (issue 13). Sanitizer builds skip it.
# Without lld (`make deps` installs it) the link is the same but for that
# order.
HOT_SYMBOLS := tools/link/hot-symbols.txt
ifeq ($(SAN),)
ifneq ($(shell command -v ld.lld 2>/dev/null),)
BIN_LAYOUT = -fuse-ld=lld -Wl,--symbol-ordering-file=$(HOT_SYMBOLS) -Wl,--no-warn-symbol-ordering
endif
endif

ifeq ($(V),)
Q := @
QCC = @echo "  CC    $@";
else
Q :=
QCC :=
endif

# --- modules: folder and the modules it may use (see STYLE.md section 10) ---
DIR_base            := src/base
DIR_cty             := src/cty
DIR_plugin          := src/plugin
DIR_tf6             := src/tf6
DIR_aws             := src/aws
DIR_recon           := provider/recon
DIR_prov            := provider/prov
DIR_secure_function := provider/secure_function
MODULES := base cty plugin tf6 aws recon prov secure_function

DEPS_base            :=
DEPS_cty             := base
DEPS_plugin          := base genplugin
DEPS_tf6             := plugin cty base genplugin gentf6
DEPS_aws             := base
DEPS_recon           := aws base
DEPS_prov            := tf6 plugin cty aws base genplugin gentf6 genschemas
DEPS_secure_function := prov tf6 plugin cty aws recon base genplugin gentf6 genschemas

# --- generated code ---
PROTOS        := $(wildcard proto/*.proto)
PLUGIN_PROTOS := $(filter-out proto/tfplugin6.proto,$(PROTOS))
GEN_PB_C = $(patsubst proto/%.proto,$(B)/gen/proto/%.pb-c.c,$(1))
OBJ_genplugin  := $(patsubst %.c,%.o,$(call GEN_PB_C,$(PLUGIN_PROTOS)))
OBJ_gentf6     := $(patsubst %.c,%.o,$(call GEN_PB_C,$(filter proto/tfplugin6.proto,$(PROTOS))))
OBJ_genschemas := $(B)/gen/schemas_embed.o
GEN_HEADERS    := $(patsubst %.c,%.h,$(call GEN_PB_C,$(PROTOS))) $(B)/gen/version.h

SRCS_OF = $(wildcard $(DIR_$(1))/*.c)
OBJS_OF = $(patsubst %.c,$(B)/obj/%.o,$(call SRCS_OF,$(1)))
$(foreach m,$(MODULES),$(eval OBJ_$(m) := $(call OBJS_OF,$(m))))

ALL_LIB_OBJS := $(foreach m,$(MODULES),$(OBJ_$(m))) $(OBJ_genplugin) $(OBJ_gentf6) $(OBJ_genschemas)
BIN := $(B)/terraform-provider-lambdavpc

.PHONY: all
all: $(BIN)

$(BIN): $(B)/obj/provider/main.o $(ALL_LIB_OBJS) $(HOT_SYMBOLS)
	@echo "  LINK  $@"
	$(Q)$(CC) $(LDFLAGS) $(BIN_LAYOUT) -o $@ $(filter %.o,$^) $(LDLIBS)

# Test functions are found by grep, not declared in headers.
$(B)/obj/tests/%.o: WARN_EXTRA := -Wno-missing-prototypes
$(B)/obj/%.o: %.c | $(GEN_HEADERS)
	@mkdir -p $(dir $@)
	$(QCC)$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(WARN_EXTRA) -c -o $@ $<

# Keep generated files (make would delete them as intermediates).
.SECONDARY:

# protobuf-c output: same flags except the generated code's unused parameters.
$(B)/gen/proto/%.pb-c.c $(B)/gen/proto/%.pb-c.h: proto/%.proto
	@mkdir -p $(B)/gen/proto
	@echo "  PROTO $<"
	$(Q)protoc-c -Iproto -I/usr/include --c_out=$(B)/gen/proto $<
$(B)/gen/proto/%.pb-c.o: $(B)/gen/proto/%.pb-c.c $(GEN_HEADERS)
	$(QCC)$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -Wno-unused-parameter -Wno-missing-prototypes -c -o $@ $<

# VERSION as a C string: LAMBDAVPC_VERSION (version.h, logged at start-up and
# sent in the User-Agent). Rewritten only when VERSION changes.
$(B)/gen/version.h: VERSION
	@mkdir -p $(B)/gen
	@echo "  GEN   $@"
	$(Q)v=$$(cat VERSION); echo "$$v" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$$' \
	  || { echo "VERSION: '$$v' is not a semantic version (MAJOR.MINOR.PATCH)" >&2; exit 1; }; printf '/* Generated from VERSION by the Makefile. */\n#define LAMBDAVPC_VERSION "%s"\n' "$$v" > $@

# schemas/*.json embedded as byte arrays: schemas_embed_<name> / _len.
SCHEMAS := $(wildcard schemas/*.json)
$(B)/gen/schemas_embed.c: $(SCHEMAS) tools/embed.sh
	@mkdir -p $(B)/gen
	@echo "  EMBED $@"
	$(Q)sh tools/embed.sh $(SCHEMAS) > $@
$(B)/gen/schemas_embed.o: $(B)/gen/schemas_embed.c
	$(QCC)$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes -c -o $@ $<

# --- unit tests: one binary per module (tests/unit/<m>/*.c + its allowed deps) ---
# test functions `void test_...(void)` are found by grep; no registration.
closure = $(sort $(1) $(foreach d,$(1),$(DEPS_$(d))))
DEPCLOSURE = $(call closure,$(call closure,$(call closure,$(1) $(DEPS_$(1)))))
HARNESS_OBJ := $(B)/obj/tests/harness/t.o
TEST_MODULES := $(foreach m,$(MODULES),$(if $(wildcard tests/unit/$(m)/*.c),$(m)))
$(foreach m,$(MODULES),$(eval TOBJ_$(m) := $(patsubst %.c,$(B)/obj/%.o,$(wildcard tests/unit/$(m)/*.c))))
TOBJ_aws += $(patsubst %.c,$(B)/obj/%.o,$(wildcard tests/fake/*.c))

$(B)/gen/tests_%.c: $(wildcard tests/unit/*/*.c)
	@mkdir -p $(B)/gen
	$(Q)sh tools/gen_tests.sh tests/unit/$* > $@

define TEST_RULE
$(B)/test_$(1): $(TOBJ_$(1)) $(B)/obj/gen/tests_$(1).o $(HARNESS_OBJ) $(foreach d,$(call DEPCLOSURE,$(1)),$(OBJ_$(d)))
	@echo "  LINK  $$@"
	$(Q)$(CC) $(LDFLAGS) -o $$@ $$^ $(LDLIBS)
endef
$(foreach m,$(MODULES),$(eval $(call TEST_RULE,$(m))))
$(B)/obj/gen/tests_%.o: $(B)/gen/tests_%.c
	@mkdir -p $(dir $@)
	$(QCC)$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes -c -o $@ $<

UNIT_BINS := $(foreach m,$(TEST_MODULES),$(B)/test_$(m))
.PHONY: unit-build unit-run
unit-build: $(UNIT_BINS) tools-build
unit-run: unit-build
	@sh tools/run_units.sh $(UNIT_BINS)

# --- helper programs for tests: tests/tools/<name>.c -> build/tools/<name> ---
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(patsubst tests/tools/%.c,$(B)/tools/%,$(TOOL_SRCS))
.PHONY: tools-build
tools-build: $(TOOL_BINS)
$(B)/tools/%: $(B)/obj/tests/tools/%.o $(ALL_LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LINK  $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# --- fuzzing (tests/fuzz; issue 12) ---
# Each tests/fuzz/<t>.c is a libFuzzer target linked with every library
# object, all built by clang 14 with -fsanitize=fuzzer-no-link,address,undefined
# in build/fuzz; tests/fuzz/<t>/ is its committed seed corpus.
#   make fuzz           each target for FUZZ_SECONDS (default 60) from its corpus
#   make fuzz-replay    every corpus file, then a short fresh run per target
#                       (FUZZ_SECONDS, default 15): the fuzz-replay test suite
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/*.c))
FUZZ_CC      ?= clang-14
FUZZ_SAN     := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_BINS     = $(foreach t,$(FUZZ_TARGETS),$(B)/fuzzers/$(t))
$(B)/fuzzers/%: $(B)/obj/tests/fuzz/%.o $(ALL_LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LINK  $@"
	$(Q)$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
.PHONY: fuzz-build fuzz fuzz-replay
fuzz-build: $(FUZZ_BINS)
fuzz fuzz-replay:
	$(Q)$(MAKE) --no-print-directory B=build/fuzz CC=$(FUZZ_CC) SAN="$(FUZZ_SAN)" OPT=-O1 fuzz-build
	@bash tests/fuzz/run.sh $(if $(filter fuzz,$@),fuzz,replay) $(FUZZ_TARGETS)

# --- top-level targets ---
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: deps unit test test-valgrind mirror demo bench e2e clean
deps:
	@sh tools/deps.sh $(DEB_PACKAGES)

unit:
	$(Q)$(MAKE) --no-print-directory B=build/san SAN="$(SANFLAGS)" OPT=-O1 unit-run

test-valgrind:
	$(Q)$(MAKE) --no-print-directory B=build/vg OPT=-O0 unit-build
	@VALGRIND=1 sh tools/run_units.sh $(foreach m,$(TEST_MODULES),build/vg/test_$(m))

# --- release: package (zip + SHA256SUMS, tools/package.sh) and mirror ---
PKG_ZIP := $(B)/terraform-provider-lambdavpc_$(VERSION)_linux_amd64.zip
.PHONY: package
package: $(PKG_ZIP)
$(PKG_ZIP): $(BIN) VERSION tools/package.sh
	@bash tools/package.sh $(BIN) $(VERSION) $(B)

mirror: $(PKG_ZIP)
	@sh tools/mirror.sh $(PKG_ZIP) $(VERSION)

test: deps
	@bash tests/run_all.sh

e2e: mirror
	@bash tests/e2e/run.sh

demo: deps mirror
	@bash tools/demo.sh

bench: deps mirror
	@bash tools/bench.sh

# Regenerates tools/link/hot-symbols.txt (commit it); see tools/hot_symbols.sh.
.PHONY: hot-symbols
hot-symbols: mirror
	@bash tools/hot_symbols.sh

clean:
	rm -rf build

# Dependency files: never try to remake them.
%.d: ;
# (build/release holds the release suite's chroot: not searched.)
-include $(shell find $(B) -path $(B)/release -prune -o -name '*.d' -type f -print 2>/dev/null)

# --- source checks (tools/checks.sh) ---
.PHONY: depcheck symcheck lint headercheck format-check testmap funclen statecheck check
depcheck lint headercheck format-check testmap funclen statecheck:
	@bash tools/checks.sh $@
symcheck: all
	@bash tools/checks.sh $@
check: depcheck symcheck lint headercheck testmap statecheck funclen
