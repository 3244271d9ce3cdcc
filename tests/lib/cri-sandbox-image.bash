# tests/lib/cri-sandbox-image.bash: the sandbox ("pause") image a CRI plugin needs before RunPodSandbox, without
# a registry: packaging-cri.py builds it from busybox-static under the name the configuration gives.
#
#   cri_sandbox_image_import CONFIG SOCKET TARBALL
#       read the sandbox image's name from `containerd --config CONFIG config dump` (1.x: sandbox_image; 2.x:
#       pinned_images' sandbox), build it into TARBALL and import it into the k8s.io namespace of the containerd
#       listening on SOCKET.  The containerd on PATH must be that one's version.

cri_sandbox_image_import ()
{
  local config=$1 sock=$2 tar=$3 image
  image=$(containerd --config "$config" config dump 2> /dev/null \
    | sed -n "s/^[[:space:]]*\(sandbox_image\|sandbox\) = [\"']\(.*\)[\"']\$/\2/p" | head -n1)
  if [ -z "$image" ]; then
    echo "no sandbox image in the configuration $config" >&2
    return 1
  fi
  /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/../integration/packaging-cri.py" pause-image "$tar" \
    /bin/busybox "$image" || { echo "cannot build the sandbox image $image" >&2; return 1; }
  ctr --address "$sock" -n k8s.io images import "$tar" > /dev/null || { echo "ctr images import $tar failed" >&2; return 1; }
}
