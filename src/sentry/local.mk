# The Sentry: boot.c and control.c (the sandbox process and its control socket) are the lifecycle's; the
# syscall table, filter, notification loop and the virtual kernel's files are the syscall layer's.
libruntime_a_SOURCES += \
	src/sentry/sentry.h \
	src/sentry/boot.c src/sentry/boot.h \
	src/sentry/control.c src/sentry/control.h
