"""The wrapper layer: the only code that touches the JVM (after delta's and mleap's habit).

Two backends behind one interface, `JvmSession`:
- "jpype": the JVM runs inside this Python process. One per process, never restartable
  (JPype cannot restart a JVM); do not fork after it started (use spawn).
- "py4j":  pyspark's gateway; the JVM is pyspark's driver, with our jars on its classpath.
"""

from __future__ import annotations

from .session import JvmSession, connect

__all__ = ["JvmSession", "connect"]
