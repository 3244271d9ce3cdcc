# src/net: see the top-level Makefile.am
