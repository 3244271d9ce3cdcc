# man: runsc(8), one runsc-COMMAND(8) page per command, containerd-shim-runsc-v1(8) and runsc.toml(5).
# Every man/*.8 and man/*.5 in the tree is listed here (tests/integration/man.bats checks it), and each one
# passes mandoc -Tlint and groff -man -ww -z (`make check-man`).
dist_man_MANS += \
	man/runsc.8 \
	man/containerd-shim-runsc-v1.8 \
	man/runsc-create.8 \
	man/runsc-delete.8 \
	man/runsc-do.8 \
	man/runsc-events.8 \
	man/runsc-exec.8 \
	man/runsc-help.8 \
	man/runsc-install.8 \
	man/runsc-kill.8 \
	man/runsc-list.8 \
	man/runsc-metric-server.8 \
	man/runsc-pause.8 \
	man/runsc-ps.8 \
	man/runsc-resume.8 \
	man/runsc-run.8 \
	man/runsc-spec.8 \
	man/runsc-start.8 \
	man/runsc-state.8 \
	man/runsc-uninstall.8 \
	man/runsc-update.8 \
	man/runsc-wait.8 \
	man/runsc.toml.5

EXTRA_DIST += tests/integration/man.bats

.PHONY: check-man
check-man:
	@status=0; for page in $(dist_man_MANS); do \
	  f=$(srcdir)/$$page; \
	  out=$$(mandoc -Tlint $$f 2>&1; groff -man -ww -z $$f 2>&1); \
	  if test -n "$$out"; then echo "$$out"; status=1; fi; \
	done; exit $$status
