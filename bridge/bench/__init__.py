"""`mlflow-bridge bench`: our paths against the stock tools, side by side in one run.

One module per row (`p1_artifacts` ... `p6_log_batch`), each timing its contenders on the same
input in the same run and checking its targets; `runner` runs the selected rows in a shared
`context` (tracking servers, Spark, JVM sessions, all stopped at the end); `render` turns the
JSON result into the terminal report and the table in docs/benchmarks.md.
"""

from .render import render_markdown, render_text, update_doc
from .runner import ROWS, merge_rows, run_suite, select_roots, select_rows

__all__ = ["ROWS", "merge_rows", "render_markdown", "render_text", "run_suite", "select_roots", "select_rows", "update_doc"]
