# data: see the top-level Makefile.am
