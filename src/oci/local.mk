# src/oci: owned by its developer; lists its sources into libruntime_a_SOURCES
