# The OCI spec model (spec.c, spec-default.c) and the state store (state.c).
libruntime_a_SOURCES += \
	src/oci/spec.c src/oci/spec.h \
	src/oci/spec-default.c \
	src/oci/state.c src/oci/state.h
