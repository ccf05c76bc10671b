"""The Spark Connect tests; their server is the session's (`connect_server`, tests/connect_fixture.py)."""

# client/ runs in .venv-connect (no JVM), started by test_connect.py; never in this interpreter.
collect_ignore = ["client"]
