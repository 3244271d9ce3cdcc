/* The libFuzzer entry point every fuzz target defines (tests/fuzz/README: `make fuzz` runs them with
 * libFuzzer, `make check` replays their corpus with replay.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
