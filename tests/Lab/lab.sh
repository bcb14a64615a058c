#!/usr/bin/env bash
# Copyright (c) HaCluster contributors. MIT License.
# SSH lab: one real OpenSSH sshd per loopback address (own host key, config, pid file), started in parallel, stopped by pid.
#
# Usage:
#   lab.sh start [--root DIR] [--port N] [--bin DIR] [--exclude cmd[,cmd]] ADDRESS...
#   lab.sh stop  [--root DIR] [--port N] (ADDRESS... | --all)
#   lab.sh info  [--root DIR]                      prints the lab's users, keys and bin folder as JSON
# ADDRESS is a loopback address (127.x.y.z) or a range 127.x.y.A-B. `start` prints one JSON object per host
# (one line each, input order) and restarts a host that is already running (with a fresh host key).
#
# As root: installs openssh-server and sudo with apt when missing, creates the lab user `hauser` (password auth,
# sudo that asks for the password) and lets every lab key log in as hauser or root. As another user: key auth
# for that user only, ports above 1024 (default 2222).
set -euo pipefail

readonly LAB_USER=hauser
# Fixed, lab-only secrets: several test runs (and other helpers' labs) share the one system user.
readonly LAB_PASSWORD='HaLab-Pw.5c7e1'
readonly LAB_PASSPHRASE='HaLab-Kp.9d2a4'
readonly SYSTEM_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# Commands kk's precheck refuses to go without; stand-ins are written only for those missing here.
readonly REQUIRED_STANDINS=(conntrack socat)

die() { echo "lab.sh: $*" >&2; exit 1; }

# Sets the variable named $1 to $2 escaped for a JSON string (no subshell: 50 hosts start in parallel).
json_escape() {
    local s=${2//\\/\\\\}
    printf -v "$1" '%s' "${s//\"/\\\"}"
}

# A sleep without a process per call (the start loop polls often); fd from a never-written pipe.
nap() { read -r -t "$1" -u "$NAP_FD" _ || true; }

is_root() { ((EUID == 0)); }

# Expands "127.40.0.2-5" into four addresses; refuses anything outside 127.0.0.0/8.
expand_addresses() {
    local spec base first last i
    for spec in "$@"; do
        if [[ $spec =~ ^(127\.[0-9]{1,3}\.[0-9]{1,3}\.)([0-9]{1,3})-([0-9]{1,3})$ ]]; then
            base=${BASH_REMATCH[1]} first=${BASH_REMATCH[2]} last=${BASH_REMATCH[3]}
            ((first <= last && last <= 254)) || die "bad address range '$spec'"
            for ((i = first; i <= last; i++)); do echo "$base$i"; done
        elif [[ $spec =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]]; then
            echo "$spec"
        else
            die "'$spec' is not a loopback address (127.x.y.z or 127.x.y.A-B); the lab never binds elsewhere"
        fi
    done
}

sshd_binary() {
    local candidate
    for candidate in /usr/sbin/sshd "$(command -v sshd 2>/dev/null || true)"; do
        [[ -n $candidate && -x $candidate ]] && { echo "$candidate"; return; }
    done
    return 1
}

apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    local opts=(-y -q --no-install-recommends -o DPkg::Lock::Timeout=300)
    apt-get install "${opts[@]}" "$@" >/dev/null 2>&1 ||
        { apt-get update -q -o DPkg::Lock::Timeout=300 >/dev/null 2>&1 && apt-get install "${opts[@]}" "$@" >/dev/null; }
}

# Machine-wide setup (packages, lab user, sudoers), once per machine, serialised across concurrent labs.
ensure_system() {
    if ! sshd_binary >/dev/null; then
        is_root || die "sshd is not installed; install openssh-server (the lab installs it itself when run as root)"
        apt_install openssh-server || die "could not install openssh-server with apt"
    fi
    is_root || return 0
    command -v sudo >/dev/null || apt_install sudo || die "could not install sudo with apt"
    mkdir -p /run/sshd && chmod 0755 /run/sshd
    exec 8>/tmp/hacluster-lab-system.lock
    flock 8
    if ! id "$LAB_USER" >/dev/null 2>&1; then
        useradd --create-home --shell /bin/bash "$LAB_USER"
    fi
    local marker=/var/lib/hacluster-lab/$LAB_USER.password
    if [[ ! -f $marker ]]; then
        printf '%s:%s\n' "$LAB_USER" "$LAB_PASSWORD" | chpasswd
        mkdir -p "${marker%/*}" && : >"$marker"
    fi
    local sudoers=/etc/sudoers.d/hacluster-lab
    if [[ ! -f $sudoers ]]; then
        # timestamp_timeout=0: every sudo asks again, so tests see the password path every time.
        printf '%s\n' "$LAB_USER ALL=(ALL:ALL) ALL" "Defaults:$LAB_USER timestamp_timeout=0, !lecture" >"$sudoers.tmp"
        chmod 0440 "$sudoers.tmp" && mv "$sudoers.tmp" "$sudoers"
    fi
    flock -u 8
}

# Per-root setup: client keys (one plain, one with a passphrase), authorized_keys, stand-ins.
ensure_root() {
    mkdir -p "$ROOT/client" "$ROOT/hosts" "$BIN"
    chmod 0755 "$ROOT" "$ROOT/hosts" "$BIN"
    exec 9>"$ROOT/.lock"
    flock 9
    local client=$ROOT/client
    [[ -f $client/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C "hacluster-lab" -f "$client/id_ed25519"
    [[ -f $client/id_ed25519_pp ]] ||
        ssh-keygen -q -t ed25519 -N "$LAB_PASSPHRASE" -C "hacluster-lab-passphrase" -f "$client/id_ed25519_pp"
    [[ -f $client/id_rsa_pem ]] || ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -C "hacluster-lab-rsa" -f "$client/id_rsa_pem"
    cat "$client"/*.pub >"$ROOT/authorized_keys.tmp"
    [[ -f $ROOT/extra_authorized_keys ]] && cat "$ROOT/extra_authorized_keys" >>"$ROOT/authorized_keys.tmp"
    chmod 0644 "$ROOT/authorized_keys.tmp" && mv "$ROOT/authorized_keys.tmp" "$ROOT/authorized_keys"
    # The lab user must be able to read the client keys' public halves and the authorized_keys file.
    chmod 0755 "$client"
    local name
    for name in "${REQUIRED_STANDINS[@]}"; do
        is_excluded "$name" && continue
        if ! PATH=$SYSTEM_PATH command -v "$name" >/dev/null 2>&1 && [[ ! -e $BIN/$name ]]; then
            printf '#!/bin/sh\n# HaCluster lab stand-in: %s is not installed on this machine.\necho "%s (HaCluster lab stand-in)"\n' \
                "$name" "$name" >"$BIN/$name"
            chmod 0755 "$BIN/$name"
        fi
    done
    flock -u 9
}

is_excluded() {
    local x
    for x in "${EXCLUDE[@]}"; do [[ $x == "$1" ]] && return 0; done
    return 1
}

# PATH the lab's sessions get: the bin folder first, then the system, minus excluded commands
# (a folder of symlinks to every system command except those, so "missing" is true even where they are installed).
session_path() {
    if ((${#EXCLUDE[@]} == 0)); then
        echo "$BIN:$SYSTEM_PATH"
        return
    fi
    local key
    key=$(printf '%s\n' "${EXCLUDE[@]}" | sort | tr '\n' '_')
    local sys=$ROOT/sys-without-${key%_}
    exec 9>"$ROOT/.lock"
    flock 9
    if [[ ! -d $sys ]]; then
        mkdir -p "$sys.tmp"
        local dir file
        for dir in ${SYSTEM_PATH//:/ }; do
            for file in "$dir"/*; do
                [[ -x $file && ! -d $file ]] || continue
                is_excluded "${file##*/}" && continue
                [[ -e $sys.tmp/${file##*/} ]] || ln -s "$file" "$sys.tmp/${file##*/}"
            done
        done
        mv "$sys.tmp" "$sys"
    fi
    flock -u 9
    echo "$BIN:$sys"
}

pid_is_our_sshd() {
    local pid=$1 config=$2 arg
    local -a args=()
    { mapfile -d '' args <"/proc/$pid/cmdline"; } 2>/dev/null || return 1
    # sshd rewrites its process title, so look for the config path anywhere in it.
    for arg in "${args[@]}"; do [[ $arg == *"$config"* ]] && return 0; done
    return 1
}

# True while the process exists and is not a zombie (an exited sshd whose reaper has not collected it yet).
pid_alive() {
    local _pid _comm state
    { read -r _pid _comm state _ <"/proc/$1/stat"; } 2>/dev/null || return 1
    [[ -n $state && $state != Z ]]
}

stop_pid() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 200; i++)); do
        pid_alive "$pid" || return 0
        nap 0.025
    done
    kill -KILL "$pid" 2>/dev/null || true
}

stop_host() {
    local dir=$1 pid
    [[ -f $dir/sshd.pid ]] || return 0
    read -r pid <"$dir/sshd.pid" || true
    if [[ -n $pid ]] && pid_is_our_sshd "$pid" "$dir/sshd_config"; then
        stop_pid "$pid"
    fi
    rm -f "$dir/sshd.pid"
}

start_host() {
    local address=$1 dir=$ROOT/hosts/$1-$PORT pid i
    stop_host "$dir"
    rm -rf "$dir" && mkdir -p "$dir"
    ssh-keygen -q -t ed25519 -N '' -C "lab@$address" -f "$dir/ssh_host_ed25519_key"
    {
        echo "ListenAddress $address:$PORT"
        echo "HostKey $dir/ssh_host_ed25519_key"
        echo "PidFile $dir/sshd.pid"
        echo "AuthorizedKeysFile $ROOT/authorized_keys"
        echo "PubkeyAuthentication yes"
        if is_root; then
            echo "PasswordAuthentication yes"
            echo "PermitRootLogin prohibit-password"
        else
            echo "PasswordAuthentication no"
        fi
        echo "KbdInteractiveAuthentication no"
        echo "UsePAM no"
        echo "StrictModes no"
        echo "UseDNS no"
        echo "PrintMotd no"
        echo "PrintLastLog no"
        echo "MaxStartups 200"
        echo "MaxSessions 100"
        echo "LogLevel INFO"
        echo "SetEnv PATH=$SESSION_PATH"
        echo "Subsystem sftp internal-sftp"
        [[ -n $PENALTIES ]] && echo "$PENALTIES"
    } >"$dir/sshd_config"
    # -D keeps sshd in the foreground of its own session so $! is its pid; the pid file appears once it listens.
    setsid "$SSHD" -D -f "$dir/sshd_config" -E "$dir/sshd.log" </dev/null >/dev/null 2>&1 &
    pid=$!
    for ((i = 0; i < 800; i++)); do
        [[ -s $dir/sshd.pid ]] && break
        pid_alive "$pid" || break
        nap 0.025
    done
    if [[ ! -s $dir/sshd.pid ]] || ! pid_alive "$pid"; then
        echo "lab.sh: sshd on $address:$PORT did not start:" >&2
        tail -n 5 "$dir/sshd.log" >&2 || true
        return 1
    fi
    local fingerprint key_type key_blob pattern=$address password=null
    read -r _ fingerprint _ < <(ssh-keygen -l -E sha256 -f "$dir/ssh_host_ed25519_key.pub")
    read -r key_type key_blob _ <"$dir/ssh_host_ed25519_key.pub"
    [[ $PORT == 22 ]] || pattern="[$address]:$PORT"
    if is_root; then json_escape password "$LAB_PASSWORD" && password="\"$password\""; fi
    # host.json holds the lab password (and the key passphrase): created owner-only, never readable by others.
    rm -f "$dir/host.json"
    (umask 077
    printf '{"Name":"lab-%s","Address":"%s","Port":%s,"User":"%s","Password":%s,"PrivateKeyPath":"%s","PassphraseKeyPath":"%s","Passphrase":"%s","RsaKeyPath":"%s","HostKeyType":"%s","HostKeyFingerprint":"%s","KnownHostsLine":"%s %s %s","Pid":%s,"BinPath":"%s","Root":"%s","ConfigPath":"%s/sshd_config"}\n' \
        "${address//./-}" "$address" "$PORT" "$J_USER" "$password" "$J_ROOT/client/id_ed25519" "$J_ROOT/client/id_ed25519_pp" \
        "$J_PASSPHRASE" "$J_ROOT/client/id_rsa_pem" "$key_type" "$fingerprint" "$pattern" "$key_type" "$key_blob" "$pid" \
        "$J_BIN" "$J_ROOT" "$J_ROOT/hosts/$address-$PORT" >"$dir/host.json")
}

cmd_start() {
    (($# > 0)) || die "start: no address given"
    mapfile -t addresses < <(expand_addresses "$@")
    ensure_system
    ensure_root
    SESSION_PATH=$(session_path)
    SSHD=$(sshd_binary)
    json_escape J_USER "$USER_NAME"
    json_escape J_ROOT "$ROOT"
    json_escape J_BIN "$BIN"
    json_escape J_PASSPHRASE "$LAB_PASSPHRASE"
    PENALTIES=
    # OpenSSH 9.8+ penalises sources that fail to log in; wrong-password tests would lock the lab out.
    if "$SSHD" -T -f /dev/null -h "$ROOT/client/id_ed25519" -o PerSourcePenalties=no >/dev/null 2>&1; then PENALTIES="PerSourcePenalties no"; fi
    local address failed=0
    local -a jobs=()
    for address in "${addresses[@]}"; do
        start_host "$address" &
        jobs+=($!)
    done
    local job
    for job in "${jobs[@]}"; do wait "$job" || failed=1; done
    ((failed == 0)) || die "some lab hosts did not start"
    for address in "${addresses[@]}"; do cat "$ROOT/hosts/$address-$PORT/host.json"; done
}

cmd_stop() {
    local -a dirs=()
    if [[ ${1:-} == --all ]]; then
        [[ -d $ROOT/hosts ]] && for dir in "$ROOT"/hosts/*/; do [[ -d $dir ]] && dirs+=("${dir%/}"); done
    else
        mapfile -t addresses < <(expand_addresses "$@")
        for address in "${addresses[@]}"; do dirs+=("$ROOT/hosts/$address-$PORT"); done
    fi
    local -a jobs=()
    for dir in "${dirs[@]}"; do
        stop_host "$dir" &
        jobs+=($!)
    done
    for job in "${jobs[@]}"; do wait "$job" || true; done
}

cmd_info() {
    ensure_system
    ensure_root
    local j_user j_root j_bin
    json_escape j_user "$USER_NAME"
    json_escape j_root "$ROOT"
    json_escape j_bin "$BIN"
    printf '{"User":"%s","PrivateKeyPath":"%s/client/id_ed25519","PassphraseKeyPath":"%s/client/id_ed25519_pp","BinPath":"%s","Root":"%s"}\n' \
        "$j_user" "$j_root" "$j_root" "$j_bin" "$j_root"
}

main() {
    exec {NAP_FD}<> <(:)
    local command=${1:-}
    shift || true
    ROOT=${HACLUSTER_LAB_ROOT:-${TMPDIR:-/tmp}/hacluster-lab-$EUID}
    PORT=
    BIN=
    EXCLUDE=()
    local -a rest=()
    while (($# > 0)); do
        case $1 in
            --root) ROOT=$2; shift 2 ;;
            --port) PORT=$2; shift 2 ;;
            --bin) BIN=$2; shift 2 ;;
            --exclude) IFS=, read -r -a EXCLUDE <<<"$2"; shift 2 ;;
            *) rest+=("$1"); shift ;;
        esac
    done
    ROOT=$(realpath -m "$ROOT")
    BIN=$(realpath -m "${BIN:-$ROOT/bin}")
    if [[ -z $PORT ]]; then if is_root; then PORT=22; else PORT=2222; fi; fi
    [[ $PORT =~ ^[0-9]+$ ]] && ((PORT > 0 && PORT < 65536)) || die "bad port '$PORT'"
    if is_root; then USER_NAME=$LAB_USER; else USER_NAME=$(id -un); fi
    case $command in
        start) cmd_start "${rest[@]}" ;;
        stop) cmd_stop "${rest[@]}" ;;
        info) cmd_info ;;
        *) die "usage: lab.sh start|stop|info [--root DIR] [--port N] [--bin DIR] [--exclude cmd,...] ADDRESS..." ;;
    esac
}

main "$@"
