// What the fuzz targets share: a check that stops the run (so libFuzzer records
// the input) when an invariant of the wire code breaks.
#pragma once

#include <cstdlib>

#include "core/byte_ops.h"

// Not assert(): it must hold in every build type the fuzzers are made with.
#define FUZZ_CHECK(condition) \
  do {                        \
    if (!(condition)) {       \
      std::abort();           \
    }                         \
  } while (0)
