libruntime_a_SOURCES += \
	src/common/error.c src/common/error.h \
	src/common/log.c src/common/log.h \
	src/common/toml-lex.c src/common/toml-lex.h \
	src/common/util.c src/common/util.h
