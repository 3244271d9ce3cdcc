/* Where runsc install looks and writes by default. */
#pragma once

#define DOCKER_CONFIG "/etc/docker/daemon.json"
/* containerd reads this path whatever prefix runsc is installed under. */
#define CONTAINERD_CONFIG "/etc/containerd/config.toml"
/* Installed by this package (data/local.mk). */
#define INSTALL_DROPIN SYSCONFDIR "/containerd/conf.d/runsc.toml"
#define INSTALL_SHIM_CONFIG SYSCONFDIR "/containerd/runsc.toml"
#define INSTALL_RUNTIME_TYPE "io.containerd.runsc.v1"
#define INSTALL_OPTIONS_TYPE "io.containerd.runsc.v1.options"
