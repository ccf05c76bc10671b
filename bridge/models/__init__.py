"""SparkML models across Python and the JVM: training data, both scoring engines, comparison."""
