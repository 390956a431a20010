#!/bin/sh
# Runs the bench command (or, with "jmh" as first argument, the JMH benchmarks) from a source tree
# without `mvn install`: compiles the reactor modules bench needs, then runs java with their
# target/classes directories and the dependency jars on the class path.
#   bench/bench.sh --quick                       # p2pvm bench --quick
#   bench/bench.sh jmh                           # all JMH benchmarks with -prof gc
#   JAVA_OPTS=-Xmx8g bench/bench.sh --scenario idle
#   CP_PREFIX=/tmp/patched/classes bench/bench.sh ...   # try engine classes patched in a private copy
#   MVN_OPTS=-o bench/bench.sh ...                       # build offline (once the plugins are in ~/.m2)
#   SKIP_BUILD=1 bench/bench.sh ...                      # reuse the last build
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
if [ -z "$SKIP_BUILD" ]; then
  # not offline by default: a fresh ~/.m2 lacks maven-dependency-plugin and its dependencies
  # one reactor run: the modules' own jars (and vm-engine's test-jar) resolve from this build, not
  # from ~/.m2, which a fresh clone does not have; the last module (bench) writes the class path
  mvn -B -q $MVN_OPTS -pl bench -am -DskipTests package \
      org.apache.maven.plugins:maven-dependency-plugin:3.6.1:build-classpath \
      -Dmdep.outputFile="$ROOT/bench/target/classpath.txt" >/dev/null
fi
CP="${CP_PREFIX:+$CP_PREFIX:}$ROOT/bench/target/classes"
for m in vm-api vm-engine transport-nio transport-netty transport-grizzly transport-websocket; do
  CP="$CP:$ROOT/$m/target/classes"
done
CP="$CP:$(tr ':' '\n' < bench/target/classpath.txt | grep -v '/org/p2pvm/' | paste -sd: -)"
if [ "$1" = "jmh" ]; then
  shift
  exec java $JAVA_OPTS -cp "$CP" org.p2pvm.bench.jmh.JmhMain "$@"
fi
exec java $JAVA_OPTS -cp "$CP" org.p2pvm.bench.BenchCommand "$@"
