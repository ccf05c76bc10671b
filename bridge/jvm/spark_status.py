"""How far the running Spark work is, in whichever JVM is working (pyspark's or JPype's)."""

from __future__ import annotations

from typing import Any


def spark_tasks() -> tuple[int, int] | None:
    """Completed and total tasks of the running stages, or None when no Spark is working."""
    done = total = 0
    for tracker in _trackers():
        for stage in tracker.getActiveStageIds():
            info = tracker.getStageInfo(stage)
            if info is not None:
                total += int(info.numTasks() if callable(info.numTasks) else info.numTasks)
                done += int(info.numCompletedTasks() if callable(info.numCompletedTasks) else info.numCompletedTasks)
    return (done, total) if total else None


def _trackers() -> list[Any]:
    found = []
    from pyspark import SparkContext

    if SparkContext._active_spark_context is not None:
        found.append(SparkContext._active_spark_context.statusTracker())
    import jpype

    if jpype.isJVMStarted():
        session = jpype.JClass("org.apache.spark.sql.SparkSession").getDefaultSession()
        if session.isDefined():
            found.append(session.get().sparkContext().statusTracker())
    return found
