#!/usr/bin/env bash
# Single-node Apache Kafka broker (KRaft, combined broker+controller) for integration tests.
#
# Jars come from Maven Central (org.apache.kafka:kafka_2.13 + an SLF4J binding) via a tiny pom and
# `mvn dependency:copy-dependencies`, cached under $EDGETAIL_TEST_CACHE/kafka/<version>. Runtime state
# (properties, data, log, pid) lives in $SERVICE_RUN_DIR. Prints KAFKA_BROKERS=127.0.0.1:PORT.
#
# Broker version: 3.9.1 (kafkajs 2.2.4 speaks the protocol versions 3.x still serves; Kafka 4.0 removed
# some old ones, KIP-896). Override with KAFKA_VERSION=4.0.0 to try a 4.x broker.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"

KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
cache="$EDGETAIL_TEST_CACHE/kafka/$KAFKA_VERSION"
run="${SERVICE_RUN_DIR:?SERVICE_RUN_DIR is set by scripts/services.sh}"
pidfile="$run/kafka.pid"
portfile="$run/port"
cportfile="$run/cport"

print_line() { echo "KAFKA_BROKERS=127.0.0.1:$(cat "$portfile")"; }

provision() {
  [ -f "$cache/.complete" ] && return 0
  mkdir -p "$cache"
  cat >"$cache/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>edgetail.test</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>SLF4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
  # First resolve without the binding to learn the slf4j-api version kafka pulls in.
  sed -i '/slf4j-reload4j/d' "$cache/pom.xml"
  rm -rf "$cache/libs"
  (cd "$cache" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=libs) >&2
  local api; api="$(ls "$cache/libs" | sed -n 's/^slf4j-api-\(.*\)\.jar$/\1/p' | head -1)"
  [ -n "$api" ] || { echo "kafka: no slf4j-api in resolved jars" >&2; return 1; }
  sed -i "s#</dependencies>#  <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>$api</version></dependency>\n  </dependencies>#" "$cache/pom.xml"
  (cd "$cache" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=libs) >&2
  cat >"$cache/log4j.properties" <<'EOF'
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.logger.kafka.Kafka=INFO
EOF
  touch "$cache/.complete"
}

start() {
  if pid_alive "$pidfile" && [ -f "$portfile" ] && wait_port "$(cat "$portfile")" 1; then
    print_line
    return 0
  fi
  stop_pidfile "$pidfile"
  provision
  local port cport
  port="$(free_port)"
  cport="$(free_port)"
  while [ "$cport" = "$port" ]; do cport="$(free_port)"; done
  local attempt
  for attempt in 1 2 3; do
    if launch "$port" "$cport"; then
      print_line
      return 0
    fi
    echo "kafka: start attempt $attempt failed; last log lines:" >&2
    grep -v '^\s*at ' "$run/kafka.log" | tail -15 >&2 || true
    stop_pidfile "$pidfile"
  done
  return 1
}

# Formats fresh storage and starts the broker; succeeds once it logged "Kafka Server started" and
# accepts connections. (3.9.1 occasionally dies right after opening its port with an NPE in
# RaftControllerNodeProvider; the caller then retries.)
launch() {
  local port="$1" cport="$2"
  rm -rf "$run/data"
  mkdir -p "$run/data"
  echo "$cport" >"$cportfile"
  cat >"$run/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$run/data
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.cleaner.dedupe.buffer.size=1048577
EOF
  local cp="$cache/libs/*"
  local jopts=(-Dlog4j.configuration="file:$cache/log4j.properties")
  local id
  id="$(java "${jopts[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
  java "${jopts[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$id" -c "$run/server.properties" --ignore-formatted >"$run/format.log" 2>&1
  run_broker "$port"
}

# Starts the broker process on the storage and properties already in $run (used by launch and by
# restart, which keeps the data, the ports and the cluster id).
run_broker() {
  local port="$1"
  local cp="$cache/libs/*"
  local jopts=(-Dlog4j.configuration="file:$cache/log4j.properties")
  : >"$run/kafka.log"
  # Detached in its own session/process group so it outlives the test process that asked for it.
  setsid java -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true "${jopts[@]}" -cp "$cp" kafka.Kafka "$run/server.properties" \
    >"$run/kafka.log" 2>&1 </dev/null 9>&- &
  echo $! >"$pidfile"
  echo "$port" >"$portfile"
  local i=0
  while ! grep -q 'Kafka Server started' "$run/kafka.log" 2>/dev/null; do
    pid_alive "$pidfile" || return 1
    i=$((i + 1))
    [ "$i" -le 900 ] || return 1
    sleep 0.2
  done
  sleep 1
  pid_alive "$pidfile" && wait_port "$port" 30
}

case "${1:-}" in
  start) start ;;
  status)
    if pid_alive "$pidfile" && [ -f "$portfile" ]; then print_line; else exit 1; fi
    ;;
  stop) stop_pidfile "$pidfile"; rm -f "$portfile" ;;
  # Stops the broker process (SIGTERM, controlled shutdown) and starts it again on the same ports and
  # storage: committed data and offsets survive. For broker-restart tests on a private instance
  # (run kafka.sh directly with SERVICE_RUN_DIR set to the test's own folder), never the shared one.
  restart)
    [ -f "$portfile" ] && [ -f "$cportfile" ] || { echo "kafka: not started in $run" >&2; exit 1; }
    stop_pidfile "$pidfile"
    provision
    run_broker "$(cat "$portfile")" || { grep -v '^\s*at ' "$run/kafka.log" | tail -15 >&2; exit 1; }
    print_line
    ;;
  *) echo "usage: kafka.sh {start|stop|status|restart}" >&2; exit 64 ;;
esac
