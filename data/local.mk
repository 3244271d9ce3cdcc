# data: the shim's runsc.toml, the containerd drop-in, the RuntimeClass manifest and bash completion.
#
# The drop-in's "version" must equal the target's /etc/containerd/config.toml: 2 for containerd 1.x configs
# (Debian 12, RHEL 9), 3 for configs written for containerd 2.x: make CONTAINERD_CONFIG_VERSION=3.
CONTAINERD_CONFIG_VERSION = 2

# The shim's own options (a conffile: /etc/containerd/runsc.toml).
containerddir = $(sysconfdir)/containerd
dist_containerd_DATA = data/runsc.toml

# The CRI registration drop-in (/etc/containerd/conf.d/runsc.toml).
containerdconfddir = $(sysconfdir)/containerd/conf.d
nodist_containerdconfd_DATA = data/conf.d/runsc.toml
CLEANFILES += data/conf.d/runsc.toml
EXTRA_DIST += data/conf.d/runsc.toml.in

data/conf.d/runsc.toml: $(srcdir)/data/conf.d/runsc.toml.in Makefile
	$(AM_V_GEN)$(MKDIR_P) data/conf.d && \
	case "$(CONTAINERD_CONFIG_VERSION)" in \
	  1) plugin=cri ;; \
	  2) plugin=io.containerd.grpc.v1.cri ;; \
	  3) plugin=io.containerd.cri.v1.runtime ;; \
	  *) echo "CONTAINERD_CONFIG_VERSION must be 1, 2 or 3" >&2; exit 1 ;; \
	esac && \
	$(SED) -e 's|@CONTAINERD_CONFIG_VERSION@|$(CONTAINERD_CONFIG_VERSION)|g' \
	       -e "s|@CRI_RUNTIME_PLUGIN@|$$plugin|g" \
	       -e 's|@RUNSC_SYSCONFDIR@|$(sysconfdir)|g' $(srcdir)/data/conf.d/runsc.toml.in > $@.tmp && \
	mv $@.tmp $@

# The Kubernetes RuntimeClass (name gvisor, handler runsc).
runscdatadir = $(datadir)/runsc
dist_runscdata_DATA = data/runtimeclass.yaml

bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = data/bash-completion/runsc

# /etc/default/runsc (Debian) and /etc/sysconfig/runsc (RPM): installed by the packaging, not by make install.
EXTRA_DIST += data/runsc.default
