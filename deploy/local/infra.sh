#!/usr/bin/env bash
# Provisions and runs the local infrastructure without Docker: a single-node Apache Kafka
# (KRaft) resolved from Maven Central, FerretDB on SQLite built from a small Go wrapper, and
# Dex, the OpenID Connect provider of the staff workspace, built from the Go module proxy.
#
#   deploy/local/infra.sh start|stop [kafka|ferretdb|dex]|restart kafka|ferretdb|dex|status|build
#
# Downloads and builds are cached in $EGOV_CACHE_DIR (outside the clone); data, logs and pid
# files live in $EGOV_STATE_DIR (git-ignored). Setting EGOV_KAFKA_BOOTSTRAP_SERVERS or
# EGOV_MONGO_URL means "use that existing server": nothing is provisioned for it.
# A second, private pair runs beside the usual one with its own EGOV_STATE_DIR and ports
# (EGOV_KAFKA_PORT, EGOV_KAFKA_CONTROLLER_PORT, EGOV_MONGO_PORT); `restart` stops one server
# and starts it again on the same data (`make chaos` does both).
# Dex listens on EGOV_DEX_PORT (5556) with the demo staff of deploy/local/dex/config.yaml;
# setting EGOV_OIDC_ISSUER means "use that provider": Dex is not started; EGOV_DEX=off leaves
# Dex alone (a private pair: its start must not start, nor its stop stop, the shared Dex). The demo staff
# directory (roles, unit, clearance of each account) is copied once to
# $EGOV_HOME/staff-directory.json, where the services read it and administrators edit it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

KAFKA_VERSION="4.4.0"
FERRETDB_VERSION="v1.24.2"
# Dex v2.45.1: its tags are not valid versions of its module path, so go.mod requires the
# tag's commit as a pseudo-version.
DEX_VERSION="v2.45.1"
cache="${EGOV_CACHE_DIR:-$HOME/.cache/egov}"
state="${EGOV_STATE_DIR:-$repo/.egov}"
kafka_port="${EGOV_KAFKA_PORT:-9092}"
controller_port="${EGOV_KAFKA_CONTROLLER_PORT:-9093}"
mongo_port="${EGOV_MONGO_PORT:-27017}"
dex_port="${EGOV_DEX_PORT:-5556}"
egov_home="${EGOV_HOME:-$HOME/.config/egov}"
kafka_libs="$cache/kafka-$KAFKA_VERSION/libs"
ferretdb_bin="$cache/ferretdb-$FERRETDB_VERSION-$(cat "$here/ferretdb/main.go" "$here/ferretdb/go.mod" "$here/ferretdb/fixes.patch" | sha256sum | cut -c1-12)"
dex_bin="$cache/dex-$DEX_VERSION-$(cat "$here/dex/go.mod" "$here/dex/go.sum" | sha256sum | cut -c1-12)"

say() { printf '[infra] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is missing: $2"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

alive() {  # alive <pidfile>
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

wait_port() {  # wait_port <name> <port> <pidfile> <log> <seconds>
  local deadline=$((SECONDS + $5))
  until port_open "$2"; do
    alive "$3" || die "$1 exited during start-up; see $4"
    [ $SECONDS -lt $deadline ] || die "$1 did not answer on port $2 within $5 s; see $4"
    sleep 0.2
  done
}

build_kafka() {
  [ -f "$kafka_libs/.complete" ] && return 0
  need java "install a Java 17+ runtime (e.g. apt-get install openjdk-17-jre-headless)"
  need mvn "install Apache Maven (e.g. apt-get install maven)"
  say "resolving Apache Kafka $KAFKA_VERSION into $kafka_libs (once)"
  rm -rf "$kafka_libs" && mkdir -p "$kafka_libs"
  mvn -q -f "$here/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$kafka_libs"
  touch "$kafka_libs/.complete"
}

build_ferretdb() {
  [ -x "$ferretdb_bin" ] && return 0
  need go "install Go 1.24 or newer"
  need patch "install patch (e.g. apt-get install patch)"
  local gov; gov="$(go env GOVERSION 2>/dev/null | sed 's/^go//')"
  case "$gov" in
    1.2[4-9]*|1.[3-9][0-9]*|[2-9].*) ;;
    *) die "Go $gov is too old: install Go 1.24 or newer" ;;
  esac
  say "building FerretDB $FERRETDB_VERSION into $ferretdb_bin (once)"
  local src="$cache/ferretdb-src"
  rm -rf "$src" && mkdir -p "$src"
  cp "$here/ferretdb/go.mod" "$here/ferretdb/main.go" "$src/"
  # FerretDB's SQLite backend never uses its own _id index and narrows a query to _id only
  # when the filter is exactly {_id}: every lookup and update by id would read the whole
  # collection; and an update command kept every update's query open until its end, so more
  # than 100 updates in one command exhausted the connection pool and hung. fixes.patch
  # makes id lookups (and _id $in) indexed and closes each query after its update; see the README.
  (cd "$src" && GOFLAGS=-mod=mod go mod tidy && go mod vendor \
    && patch -s -p1 -d vendor/github.com/FerretDB/FerretDB < "$here/ferretdb/fixes.patch" \
    && CGO_ENABLED=0 go build -mod=vendor -o "$ferretdb_bin.tmp" .) \
    || die "building FerretDB failed"
  mv "$ferretdb_bin.tmp" "$ferretdb_bin"
}

build_dex() {
  [ -x "$dex_bin" ] && return 0
  need go "install Go 1.25 or newer"
  local gov; gov="$(go env GOVERSION 2>/dev/null | sed 's/^go//')"
  case "$gov" in
    1.2[5-9]*|1.[3-9][0-9]*|[2-9].*) ;;
    *) die "Go $gov is too old for Dex: install Go 1.25 or newer" ;;
  esac
  say "building Dex $DEX_VERSION into $dex_bin (once)"
  local src="$cache/dex-src"
  rm -rf "$src" && mkdir -p "$src"
  cp "$here/dex/go.mod" "$here/dex/go.sum" "$src/"
  # Dex's go.mod has a replace directive, so `go install dex@version` refuses it; building
  # its command as a tool of our own module works. Pure Go: the memory storage needs no cgo.
  (cd "$src" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-X github.com/dexidp/dex/version.Version=$DEX_VERSION" \
    -o "$dex_bin.tmp" github.com/dexidp/dex/cmd/dex) || die "building Dex failed"
  mv "$dex_bin.tmp" "$dex_bin"
}

dex_answers() {  # a Dex with our issuer answers on the port (e.g. the main pair's)
  local reply
  reply="$( (exec 3<>"/dev/tcp/127.0.0.1/$dex_port" \
    && printf 'GET /dex/.well-known/openid-configuration HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 \
    && timeout 5 cat <&3) 2>/dev/null)" || return 1
  [[ "$reply" == *"\"issuer\": \"http://127.0.0.1:$dex_port/dex\""* ]]
}

start_dex() {
  [ "${EGOV_DEX:-on}" = off ] && return 0
  if [ -n "${EGOV_OIDC_ISSUER:-}" ]; then
    say "dex: using the identity provider $EGOV_OIDC_ISSUER"; return 0
  fi
  local pid="$state/dex.pid" log="$state/dex.log" config="$state/dex.yaml"
  if alive "$pid"; then say "dex: already running (pid $(cat "$pid"))"; return 0; fi
  # Dex keeps nothing of its own (memory storage): a private Kafka and FerretDB pair shares
  # the one already answering instead of failing on its port.
  if dex_answers; then say "dex: already answering on port $dex_port"; return 0; fi
  port_open "$dex_port" && die "port $dex_port is taken by another process; set EGOV_DEX_PORT"
  build_dex
  # The demo directory is copied only when absent: administrators' edits are kept.
  mkdir -p "$egov_home"
  [ -f "$egov_home/staff-directory.json" ] \
    || cp "$here/dex/staff-directory.json" "$egov_home/staff-directory.json"
  sed -e "s#@ISSUER@#http://127.0.0.1:$dex_port/dex#" -e "s#@PORT@#$dex_port#" \
    "$here/dex/config.yaml" > "$config"
  say "dex: starting on http://127.0.0.1:$dex_port/dex (log: $log)"
  nohup "$dex_bin" serve "$config" >>"$log" 2>&1 &
  echo $! > "$pid"
  wait_port dex "$dex_port" "$pid" "$log" 30
  say "dex: ready"
}

start_kafka() {
  if [ -n "${EGOV_KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
    say "kafka: using existing $EGOV_KAFKA_BOOTSTRAP_SERVERS"; return 0
  fi
  local dir="$state/kafka" pid="$state/kafka.pid" log="$state/kafka.log"
  if alive "$pid"; then say "kafka: already running (pid $(cat "$pid"))"; return 0; fi
  port_open "$kafka_port" && die "port $kafka_port is taken by another process; set EGOV_KAFKA_PORT"
  build_kafka
  mkdir -p "$dir"
  cat > "$state/kafka.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$kafka_port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$kafka_port,CONTROLLER://127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  local cp="$kafka_libs/*"
  if [ ! -f "$dir/data/meta.properties" ]; then
    local id; id="$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    java -Dlog4j2.configurationFile="$here/kafka/log4j2.properties" -cp "$cp" kafka.tools.StorageTool \
      format -t "$id" -c "$state/kafka.properties" --standalone >>"$log" 2>&1 \
      || die "formatting Kafka storage failed; see $log"
  fi
  say "kafka: starting on 127.0.0.1:$kafka_port (log: $log)"
  nohup java -Xms256m -Xmx${EGOV_KAFKA_HEAP:-768m} -XX:+UseG1GC \
    -Dlog4j2.configurationFile="$here/kafka/log4j2.properties" \
    -cp "$cp" kafka.Kafka "$state/kafka.properties" >>"$log" 2>&1 &
  echo $! > "$pid"
  wait_port kafka "$kafka_port" "$pid" "$log" 90
  say "kafka: ready"
}

start_ferretdb() {
  if [ -n "${EGOV_MONGO_URL:-}" ]; then
    say "mongodb: using existing server from EGOV_MONGO_URL"; return 0
  fi
  local pid="$state/ferretdb.pid" log="$state/ferretdb.log"
  if alive "$pid"; then say "ferretdb: already running (pid $(cat "$pid"))"; return 0; fi
  port_open "$mongo_port" && die "port $mongo_port is taken by another process; set EGOV_MONGO_PORT"
  build_ferretdb
  mkdir -p "$state/ferretdb"
  say "ferretdb: starting on 127.0.0.1:$mongo_port (log: $log)"
  nohup "$ferretdb_bin" -listen-addr "127.0.0.1:$mongo_port" -data-dir "$state/ferretdb" >>"$log" 2>&1 &
  echo $! > "$pid"
  wait_port ferretdb "$mongo_port" "$pid" "$log" 60
  say "ferretdb: ready"
}

stop_one() {  # stop_one <name>
  local pid="$state/$1.pid"
  if alive "$pid"; then
    local p; p="$(cat "$pid")"
    kill "$p" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$p" 2>/dev/null || true
    say "$1: stopped"
  else
    say "$1: not running"
  fi
  rm -f "$pid"
}

status_one() {  # status_one <name> <port>
  if alive "$state/$1.pid"; then
    if port_open "$2"; then echo "$1: running (pid $(cat "$state/$1.pid"), port $2)"
    else echo "$1: starting (pid $(cat "$state/$1.pid"))"; fi
  else
    echo "$1: stopped"; return 1
  fi
}

mkdir -p "$state"
case "${1:-}" in
  build) build_kafka; build_ferretdb; build_dex ;;
  start) mkdir -p "$cache"; start_ferretdb; start_kafka; start_dex ;;
  stop)
    case "${2:-all}" in
      kafka) stop_one kafka ;;
      ferretdb) stop_one ferretdb ;;
      dex) stop_one dex ;;
      *) [ "${EGOV_DEX:-on}" = off ] || stop_one dex; stop_one kafka; stop_one ferretdb ;;
    esac ;;
  restart)
    case "${2:-}" in
      kafka) stop_one kafka; mkdir -p "$cache"; start_kafka ;;
      ferretdb) stop_one ferretdb; mkdir -p "$cache"; start_ferretdb ;;
      dex) stop_one dex; mkdir -p "$cache"; start_dex ;;
      *) echo "usage: $0 restart kafka|ferretdb|dex" >&2; exit 2 ;;
    esac ;;
  status)
    rc=0
    status_one kafka "$kafka_port" || rc=1
    status_one ferretdb "$mongo_port" || rc=1
    if [ -z "${EGOV_OIDC_ISSUER:-}" ] && [ "${EGOV_DEX:-on}" != off ]; then
      if alive "$state/dex.pid" || ! dex_answers; then status_one dex "$dex_port" || rc=1
      else echo "dex: running (another instance, port $dex_port)"; fi
    fi
    exit $rc ;;
  *) echo "usage: $0 start|stop [kafka|ferretdb|dex]|restart kafka|ferretdb|dex|status|build" >&2; exit 2 ;;
esac
