# src/shim: see the top-level Makefile.am
