#!/usr/bin/env bash
# Provisions and runs the local infrastructure without Docker: a single-node Apache Kafka
# (KRaft) resolved from Maven Central, and FerretDB on SQLite built from a small Go wrapper.
#
#   deploy/local/infra.sh start|stop [kafka|ferretdb]|restart kafka|ferretdb|status|build
#
# Downloads and builds are cached in $EGOV_CACHE_DIR (outside the clone); data, logs and pid
# files live in $EGOV_STATE_DIR (git-ignored). Setting EGOV_KAFKA_BOOTSTRAP_SERVERS or
# EGOV_MONGO_URL means "use that existing server": nothing is provisioned for it.
# A second, private pair runs beside the usual one with its own EGOV_STATE_DIR and ports
# (EGOV_KAFKA_PORT, EGOV_KAFKA_CONTROLLER_PORT, EGOV_MONGO_PORT); `restart` stops one server
# and starts it again on the same data (`make chaos` does both).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

KAFKA_VERSION="4.4.0"
FERRETDB_VERSION="v1.24.2"
cache="${EGOV_CACHE_DIR:-$HOME/.cache/egov}"
state="${EGOV_STATE_DIR:-$repo/.egov}"
kafka_port="${EGOV_KAFKA_PORT:-9092}"
controller_port="${EGOV_KAFKA_CONTROLLER_PORT:-9093}"
mongo_port="${EGOV_MONGO_PORT:-27017}"
kafka_libs="$cache/kafka-$KAFKA_VERSION/libs"
ferretdb_bin="$cache/ferretdb-$FERRETDB_VERSION-$(cat "$here/ferretdb/main.go" "$here/ferretdb/go.mod" "$here/ferretdb/fixes.patch" | sha256sum | cut -c1-12)"

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
  build) build_kafka; build_ferretdb ;;
  start) mkdir -p "$cache"; start_ferretdb; start_kafka ;;
  stop)
    case "${2:-all}" in
      kafka) stop_one kafka ;;
      ferretdb) stop_one ferretdb ;;
      *) stop_one kafka; stop_one ferretdb ;;
    esac ;;
  restart)
    case "${2:-}" in
      kafka) stop_one kafka; mkdir -p "$cache"; start_kafka ;;
      ferretdb) stop_one ferretdb; mkdir -p "$cache"; start_ferretdb ;;
      *) echo "usage: $0 restart kafka|ferretdb" >&2; exit 2 ;;
    esac ;;
  status) rc=0; status_one kafka "$kafka_port" || rc=1; status_one ferretdb "$mongo_port" || rc=1; exit $rc ;;
  *) echo "usage: $0 start|stop [kafka|ferretdb]|restart kafka|ferretdb|status|build" >&2; exit 2 ;;
esac
