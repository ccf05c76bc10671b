# Two commands for users (see README.md): `make demo` and `make test`; `make test-fast` for a quick check while working; and `make bench` for the benchmarks (docs/benchmarks.md). Each installs what it needs.
SHELL := /bin/bash
PY := .venv/bin/python
# Python caches what it compiles in the venv (uv installs no bytecode; without the cache every
# fresh process compiles mlflow again, 3-5 s each), whatever the caller's environment says.
unexport PYTHONDONTWRITEBYTECODE
SBT := build/sbt
SCALA_SOURCES := $(shell find scala/src/main -type f) build.sbt project/build.properties $(wildcard project/*.scala) bridge/versions.properties bridge/rules.properties

.PHONY: venv-connect demo bench test scala-lint-jars test-fast test-models-cluster test-scala-others lint lint-python test-scala test-reliability test-python jars venv chromium postgres doctor clean

# The demo's and the benchmarks' own packages are extras (setup.py): each target installs its own.
EXTRA = .venv/bin/uv pip install -q --python $(PY) --find-links $(WHEELS) -e '.[$(1)]'
demo: venv jars
	$(call EXTRA,demo)
	.venv/bin/mlflow-bridge demo

# The benchmark suite (docs/benchmarks.md): every row side by side, results in benchmarks.json,
# the table of docs/benchmarks.md rendered from that file. Not part of make test. E.g. BENCH_ARGS="--rows P1,P3".
BENCH_ARGS ?=
bench: venv jars
	$(call EXTRA,bench)
	.venv/bin/mlflow-bridge bench --json benchmarks.json --update-docs $(BENCH_ARGS)

# The tests' JVMs (the bridge's, every spark-submit and its executors, the cluster's daemons, sbt
# and its forked suites) run with the C1 compiler only: each lives seconds to minutes, where C2's
# compiling costs more CPU than it saves (a bare JVM scoring a file: 21.6 s of CPU, 13.5 s with C1
# only; sbt compiling the project: 67 s, 39 s). Java's semantics, and so every result, are the
# same; make bench never sets it. C1 alone gets a 48 MB code cache (tiered: 240 MB), which Spark's
# generated classes fill in a long-lived JVM: the sweeper then flushes and C1 compiles again (a zoo
# subset: 13% less CPU with the tiered size).
TEST_JAVA_OPTIONS := -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=240m
TEST_TARGETS := test test-fast test-models-cluster test-scala-others test-scala test-reliability test-python
$(TEST_TARGETS): export MLFLOW_BRIDGE_JAVA_OPTIONS = $(TEST_JAVA_OPTIONS)
$(TEST_TARGETS): export SPARK_SUBMIT_OPTS = $(TEST_JAVA_OPTIONS)
$(TEST_TARGETS): export SPARK_DAEMON_JAVA_OPTS = $(TEST_JAVA_OPTIONS)
$(TEST_TARGETS): export SPARK_CONF_DIR = $(CURDIR)/tests/spark-conf
$(TEST_TARGETS): export SBT_JAVA_OPTS = -Xmx2g -Xss4m $(TEST_JAVA_OPTIONS)

# make test: the Python lint and the environments beside one sbt launch for Scala's lint and the
# jars, then two groups side by side: the model and cluster tests; and the Scala suites, then every
# other test. One group alone leaves the CPUs about a third idle (waiting on servers and child processes). Each group
# has a tracking server of its own, so neither waits on the other's requests (a server runs one
# worker). Each group's output is printed whole when it ends. Every process of the run carries
# MLFLOW_BRIDGE_RUN; tests/leftovers.py then checks none is left.
test:
	$(MAKE) --no-print-directory -j3 --output-sync=target lint-python venv-connect chromium postgres scala-lint-jars
	export MLFLOW_BRIDGE_RUN=$$$$-$$(date +%s%N) && \
	$(MAKE) --no-print-directory -j2 --output-sync=target test-models-cluster test-scala-others && \
	.venv/bin/python tests/leftovers.py

# The fast tier (a few minutes, warm caches): lint, the Scala suites that start no process or server
# of their own, and the pytest cases marked fast (tests/conftest.py), all on ONE tracking server.
FAST_SUITES := InputCheckSuite RowScorerSuite ModelUriErrorsSuite ArtifactStoreSuite ArtifactWritersSuite RegistrySuite RegistryWritesSuite LoggedModelsAndTracingSuite ModelsSuite serve.RequestTableSuite
test-fast: lint-python venv jars
	.venv/bin/mlflow-bridge with-server -- bash -c '$(SBT) $(SBT_LINT) "testOnly $(addprefix mlflowbridge.,$(FAST_SUITES))" && .venv/bin/python -m pytest -rxX -m fast'

# make test's two groups, of about equal length (a Scala failure does not stop the pytest half: both report).
# (The Scala suites open the other group, about 2 min, and the jar-compiling packaging tests run there; the examples run in the first.)
MODELS_CLUSTER := $(filter-out tests/models/test_serve.py,$(wildcard tests/models/test_*.py)) tests/cluster tests/test_examples.py
test-models-cluster:
	.venv/bin/mlflow-bridge with-server -- .venv/bin/python -m pytest -rxX --durations=25 $(MODELS_CLUSTER)

test-scala-others:
	.venv/bin/mlflow-bridge with-server -- bash -c '$(SBT) test; s=$$?; .venv/bin/python -m pytest -rxX --durations=25 $(addprefix --ignore=,$(MODELS_CLUSTER)); p=$$?; exit $$((s || p))'

# One sbt launch: Scala's lint and the jars.
scala-lint-jars:
	$(SBT) $(SBT_LINT) bridgeJars

# Lint, format and types (see docs/contributing.md); make test runs the same checks.
SBT_LINT := scalafmtCheckAll scalafmtSbtCheck
lint: lint-python
	$(SBT) $(SBT_LINT)

lint-python: venv
	.venv/bin/ruff check bridge tests
	.venv/bin/ruff format --check bridge tests
	.venv/bin/mypy

test-scala: venv jars
	.venv/bin/mlflow-bridge with-server -- $(SBT) test

# The reliability group alone (docs/reliability.md); make test runs it too.
test-reliability: venv postgres jars
	.venv/bin/mlflow-bridge with-server -- bash -c '$(SBT) "testOnly mlflowbridge.RetriesSuite mlflowbridge.HostileListingSuite mlflowbridge.S3StoreSuite" && .venv/bin/python -m pytest -rxX -m reliability'

test-python: venv venv-connect chromium postgres jars
	.venv/bin/python -m pytest -rxX

venv: .venv/.installed

# The tests check the parity report's HTML page in headless Chromium (Debian's package).
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || { echo "make test needs Chromium: apt-get install chromium (as root)"; exit 1; }

# The reliability tests also run a tracking server on PostgreSQL 15 (Debian's package).
postgres:
	@test -x /usr/lib/postgresql/15/bin/initdb || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null) \
	  || { echo "make test needs PostgreSQL 15: apt-get install postgresql-15 (as root)"; exit 1; }

# uv installs from its cache in seconds where pip takes minutes (versions: versions.properties).
# PyPI serves pyspark as an sdist only, which uv would build again on every install: its wheel is
# built once into a user-level folder (beside sbt's cache) and found there.
pin = $(shell sed -n 's/^$(1)=//p' bridge/versions.properties)
WHEELS := $(HOME)/.cache/mlflow-bridge/wheels
.venv/.installed: pyproject.toml setup.py bridge/versions.properties
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q "uv==$(call pin,uv)"
	test -f $(WHEELS)/pyspark-$(call pin,spark)-py2.py3-none-any.whl || $(PY) -m pip wheel -q --no-deps -w $(WHEELS) "pyspark==$(call pin,spark)"
	.venv/bin/uv pip install -q --python $(PY) --find-links $(WHEELS) -e '.[test]'
	touch $@

# The no-JVM Spark Connect client environment (docs/connect.md): the bridge without its
# dependencies, then its `connect` extra (pyspark-client, not pyspark; no py4j, no JPype, no jars).
CONNECT_PY := .venv-connect/bin/python
venv-connect: .venv-connect/.installed
.venv-connect/.installed: .venv/.installed
	test -x $(CONNECT_PY) || python3 -m venv .venv-connect
	.venv/bin/uv pip install -q --python $(CONNECT_PY) --no-deps -e .
	.venv/bin/uv pip install -q --python $(CONNECT_PY) "pytest>=8" pytest-timeout -r <($(PY) -c 'import importlib.metadata as m; \
	  print("\n".join(r.split(";")[0] for r in m.requires("mlflow-bridge") if "extra == \"connect\"" in r))')
	touch $@

jars: bridge/jars/manifest.json

bridge/jars/manifest.json: $(SCALA_SOURCES)
	$(SBT) bridgeJars

doctor: venv jars
	.venv/bin/mlflow-bridge doctor

clean:
	rm -rf bridge/jars scala/target project/target
