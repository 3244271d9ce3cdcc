# rpm: see the top-level Makefile.am
