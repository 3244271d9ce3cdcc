# src/net: network inspection with libnl-3
libruntime_a_SOURCES += src/net/link-stats.c src/net/link-stats.h
