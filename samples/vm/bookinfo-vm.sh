#!/usr/bin/env bash
# Istio's "Virtual Machine Installation" and "Bookinfo with a Virtual Machine" on one Linux machine
# (docs/vm.md §6): the "VM" is a network namespace with its own address on a bridge — its own
# network, it cannot reach this machine's 127.0.0.1 — that joins the mesh with the documented
# commands only: meshctl workload entry configure, the sidecar program with capture and DNS, and
# a second version of Bookinfo's details on it.
#
#   sudo samples/vm/bookinfo-vm.sh network-up   # the bridge and the VM's namespace
#   dotnet run --project AppHost -- --EastWestGateway true --EastWestGatewayBindAddress 10.252.14.1
#                                               # the mesh, its east-west gateway on the bridge (docs/vm.md §6)
#   sudo samples/vm/bookinfo-vm.sh join         # the VM joins; Ctrl-C (or --once) leaves
#   sudo samples/vm/bookinfo-vm.sh down         # removes everything network-up created
#
# Needs root (namespaces, iptables), iproute2, iptables, curl, setpriv (util-linux) and dotnet; the
# repository built (dotnet build Mesh.sln). Everything it creates is named meshvm-* (bridge
# meshvm-br, namespace meshvm-details, veth meshvm-h/meshvm-v, /etc/netns/meshvm-details, state in
# $MESH_VM_STATE) and is removed by `down`, or by the failing step itself.
#
# Settings (environment):
#   MESH_VM_SUBNET   the VM network's /24 prefix (default 10.252.14): the bridge is .1, the VM .2
#   MESH_VM_STATE    where the VM's files and logs go (default /run/meshvm)
#   MESH_SERVER, MESH_TOKEN   the control plane's admin API for meshctl (its defaults otherwise)
#   MESH_VM_NETWORK  the VM's network in its WorkloadGroup (default vm-network; empty: the mesh's own)
#   MESH_VM_ONCE=1   join: check, then leave at once (what the test does)
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
subnet=${MESH_VM_SUBNET:-10.252.14}
state=${MESH_VM_STATE:-/run/meshvm}
bridge=meshvm-br
netns=meshvm-details
veth_host=meshvm-h
veth_vm=meshvm-v
host_address=$subnet.1
vm_address=$subnet.2
proxy_gid=1337
configuration=${MESH_VM_CONFIGURATION:-Debug}

log() { printf '[vm] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

program() { # the built DLL of a project: program <project dir> <assembly name>
  local dll="$repo/$1/bin/$configuration/net10.0/$2.dll"
  [ -f "$dll" ] || die "$dll is missing: build the repository first (dotnet build Mesh.sln)"
  printf '%s' "$dll"
}

meshctl() { dotnet "$(program Cli meshctl)" "$@"; }

require() {
  [ "$(id -u)" = 0 ] || die "run as root (network namespaces and iptables need it)"
  for tool in ip iptables-restore iptables-save curl setpriv dotnet; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
  done
  [[ $subnet =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "MESH_VM_SUBNET must be the first three octets of a /24, e.g. 10.252.14 (got '$subnet')"
}

# --- network-up / down -------------------------------------------------------------------------

network_down() {
  ip netns pids "$netns" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del "$netns" 2>/dev/null || true
  ip link del "$veth_host" 2>/dev/null || true
  ip link del "$bridge" 2>/dev/null || true
  rm -rf "/etc/netns/$netns"
}

network_up() {
  if ip link show "$bridge" >/dev/null 2>&1 || ip netns list | grep -qw "$netns"; then
    die "$bridge or $netns exists already: run 'down' first"
  fi
  if ip -o -4 addr show | grep -q " inet $subnet\."; then
    die "$subnet.0/24 is in use on this machine: choose another MESH_VM_SUBNET"
  fi

  # Whatever fails half-way is removed again: the machine is left as it was.
  trap 'log "network-up failed: removing what it created"; network_down' ERR
  ip link add "$bridge" type bridge
  ip addr add "$host_address/24" dev "$bridge"
  ip link set "$bridge" up
  ip netns add "$netns"
  ip link add "$veth_host" type veth peer name "$veth_vm"
  ip link set "$veth_host" master "$bridge" up
  ip link set "$veth_vm" netns "$netns"
  ip -n "$netns" addr add "$vm_address/24" dev "$veth_vm"
  ip -n "$netns" link set lo up
  ip -n "$netns" link set "$veth_vm" up
  # A default route, as a VM has: the mesh's service addresses are no on-link address.
  ip -n "$netns" route add default via "$host_address"
  # The VM's resolver: its queries go to the sidecar's DNS proxy (capture --redirect-dns), which
  # answers the mesh's names and asks this one for the rest.
  mkdir -p "/etc/netns/$netns"
  printf 'nameserver %s\nsearch default.svc.cluster.local svc.cluster.local cluster.local\n' "$host_address" > "/etc/netns/$netns/resolv.conf"
  trap - ERR
  log "the VM's network: bridge $bridge $host_address/24, namespace $netns $vm_address"
}

# --- join --------------------------------------------------------------------------------------

pids=()

leave() {
  local code=$?
  trap - EXIT INT TERM
  log "leaving: stopping the VM's processes, removing its capture rules and files"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns exec "$netns" dotnet "$(program Sidecar Mesh.Sidecar)" capture remove >/dev/null 2>&1 || true
  meshctl delete -f "$state/details-vm-group.yaml" >/dev/null 2>&1 || true
  [ "${MESH_VM_KEEP_STATE:-0}" = 1 ] || rm -rf "$state"
  exit "$code"
}

in_vm() { ip netns exec "$netns" "$@"; }

wait_for() { # wait_for <what> <seconds> <command...>
  local what=$1 seconds=$2
  shift 2
  for _ in $(seq 1 $((seconds * 2))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "waited ${seconds}s for $what (logs in $state)"
}

join() {
  ip netns list | grep -qw "$netns" || die "no namespace $netns: run 'network-up' first"
  trap leave EXIT INT TERM
  mkdir -p "$state"
  chmod 700 "$state"

  # The VM reaches the mesh only through the east-west gateway on the bridge: not this machine's loopback.
  if in_vm curl -s --max-time 2 -o /dev/null "http://127.0.0.1:15014/"; then
    die "the VM reaches 127.0.0.1:15014: it is not on a network of its own"
  fi

  # 1. The WorkloadGroup (Istio's "Create files to transfer to the virtual machine").
  local network=${MESH_VM_NETWORK-vm-network}
  cat > "$state/details-vm-group.yaml" <<YAML
apiVersion: networking.istio.io/v1
kind: WorkloadGroup
metadata: {name: details-vm, namespace: default}
spec:
  metadata:
    labels: {app: details, version: v2}
  template:
    serviceAccount: bookinfo-details
    ${network:+network: $network}
    ports: {http: 9080}
  probe:
    periodSeconds: 2
    httpGet: {path: /health, port: 9080}
YAML
  meshctl apply -f "$state/details-vm-group.yaml"
  # --ingressIP: the east-west gateway on the bridge, https://<it>:15012 (the control plane's TLS, verified with root-cert.pem).
  meshctl workload entry configure -f "$state/details-vm-group.yaml" -o "$state/files" \
    --ingressIP "$host_address" --address "$vm_address" --install-dir "$state/files" --token-duration 1h

  # 2. The app on the VM: Bookinfo's details, on loopback (its sidecar forwards to it).
  in_vm env ASPNETCORE_URLS=http://127.0.0.1:9080 dotnet "$(program SampleApps/Details Bookinfo.Details)" \
    >"$state/details.log" 2>&1 &
  pids+=($!)

  # 3. The sidecar: the files configure wrote, plus capture and DNS; run with the group the
  #    capture rules exclude (docs/capture.md §1).
  (
    set -a
    # shellcheck disable=SC1091
    . "$state/files/mesh-sidecar.env"
    Mesh__AdminPort=15000
    Mesh__Capture__Enabled=true
    Mesh__Dns__Enabled=true
    set +a
    exec ip netns exec "$netns" setpriv --regid "$proxy_gid" --clear-groups dotnet "$(program Sidecar Mesh.Sidecar)"
  ) >"$state/sidecar.log" 2>&1 &
  pids+=($!)

  # 4. Capture: the VM's TCP and DNS through the sidecar, but its own traffic and its admin port.
  in_vm dotnet "$(program Sidecar Mesh.Sidecar)" capture install -u "$proxy_gid" -g "$proxy_gid" -d 15000 --redirect-dns

  wait_for "the VM's sidecar to be ready (SYNCED with a certificate)" 120 in_vm curl -sf --max-time 2 "http://$vm_address:15000/ready"
  meshctl proxy-status

  # 5. An unmodified client on the VM reaches the mesh by name.
  wait_for "curl http://productpage:9080/productpage on the VM" 60 in_vm curl -sf --max-time 5 -o /dev/null "http://productpage:9080/productpage"
  log "on the VM: curl http://productpage:9080/productpage -> $(in_vm curl -s --max-time 5 -o /dev/null -w '%{http_code}' http://productpage:9080/productpage)"

  if [ "${MESH_VM_ONCE:-0}" = 1 ]; then
    return 0
  fi

  log "the VM is in the mesh; Ctrl-C leaves (logs in $state)"
  wait "${pids[@]}"
}

require
case "${1:-}" in
  network-up) network_up ;;
  join) join ;;
  down) network_down; rm -rf "$state"; log "removed $bridge, $netns, $veth_host and /etc/netns/$netns" ;;
  *) die "usage: $0 network-up|join|down" ;;
esac
