# The OCI spec model (spec.c: parsing, spec-validate.c: checks, spec-model.c: freeing and lookups, spec-default.c)
# and the state store (state.c).
libruntime_a_SOURCES += \
	src/oci/spec.c src/oci/spec.h \
	src/oci/spec-validate.c \
	src/oci/spec-model.c \
	src/oci/spec-default.c \
	src/oci/state.c src/oci/state.h

# Unit tests of the spec model, the flag parser and the common utilities (GLib test framework, TAP).
check_PROGRAMS += tests/unit/test-spec tests/unit/test-flags tests/unit/test-util
TESTS += tests/unit/test-spec tests/unit/test-flags tests/unit/test-util

tests_unit_test_spec_SOURCES = tests/unit/test-spec.c
tests_unit_test_spec_CPPFLAGS = $(AM_CPPFLAGS) -DTEST_DATA_DIR=\"$(abs_top_srcdir)/tests/unit/data\"
tests_unit_test_spec_LDADD = $(RUNTIME_LIBS)

tests_unit_test_flags_SOURCES = tests/unit/test-flags.c src/cli/flags.c src/cli/cli.h
tests_unit_test_flags_LDADD = $(RUNTIME_LIBS)

tests_unit_test_util_SOURCES = tests/unit/test-util.c
tests_unit_test_util_LDADD = $(RUNTIME_LIBS)

# The TOML lexer of src/common, shared by the shim and the installer.
check_PROGRAMS += tests/unit/test-toml-lex
TESTS += tests/unit/test-toml-lex
tests_unit_test_toml_lex_SOURCES = tests/unit/test-toml-lex.c
tests_unit_test_toml_lex_LDADD = $(RUNTIME_LIBS)

# The whole data directory (good and broken specs), so that a new case needs no line here.
EXTRA_DIST += tests/unit/data
