package mlflowbridge

import mlflowbridge.model.Scoring

import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Paths}

import org.scalatest.funsuite.AnyFunSuite

/** The rule table (bridge/rules.properties) as the JVM reads it from its jar; tests/test_rules.py holds Python to the same. */
class RulesSuite extends AnyFunSuite {

  test("the jar's rules are bridge/rules.properties") {
    // Tests run in scala/ (sbt's fork) or the checkout: the file is in the checkout's bridge/.
    val here = Paths.get("").toAbsolutePath
    val file = Iterator.iterate(here)(_.getParent).takeWhile(_ != null).map(_.resolve("bridge/rules.properties")).find(Files.isRegularFile(_))
    val source = new String(Files.readAllBytes(file.getOrElse(fail(s"no bridge/rules.properties above $here"))), UTF_8)
    val in = getClass.getResourceAsStream("/mlflowbridge/rules.properties")
    try assert(new String(in.readAllBytes(), UTF_8) == source)
    finally in.close()
  }

  test("every extension in the table has its format, .pq and .ndjson too, in any case") {
    assert(
      Rules.formats.toSeq == Seq(
        ".csv" -> "csv",
        ".parquet" -> "parquet",
        ".pq" -> "parquet",
        ".json" -> "json",
        ".jsonl" -> "json",
        ".ndjson" -> "json"
      )
    )
    Rules.formats.foreach { case (ext, fmt) => assert(Scoring.outputFormat(s"/data/scores$ext", null) == fmt) }
    assert(Rules.formatOf("/data/IN.PQ") == "parquet" && Rules.formatOf("parts.ndjson") == "json")
  }

  test(".pq and .ndjson: Spark reads and writes them as Parquet and JSON lines") {
    val dir = TestSpark.tempDir("rules")
    val df = TestSpark.linearData.limit(4)
    for (name <- Seq("t.pq", "t.ndjson")) {
      val path = dir.resolve(name).toString
      assert(Scoring.write(df, path, null) == 4)
      val back = Scoring.read(TestSpark.spark, path)
      assert(back.columns.toSeq == df.columns.toSeq && back.count() == 4, name)
    }
    assert(Files.readAllLines(dir.resolve("t.ndjson")).get(0).startsWith("{"))
  }

  test("an unknown extension: one line naming the accepted ones") {
    for ((path, ext) <- Seq("/data/in.txt" -> ".txt", "/data/in" -> "", "/data/in.csv.gz" -> ".gz")) {
      val e = intercept[BridgeException](Rules.formatOf(path))
      assert(e.kind == BridgeException.Kind.BAD_INPUT)
      assert(e.getMessage == s"$path: unknown table format '$ext'; use .csv, .parquet, .pq, .json, .jsonl or .ndjson (JSON lines)")
    }
    val named = intercept[BridgeException](Scoring.outputFormat("/data/o.csv", "xlsx"))
    assert(named.getMessage == "unknown output format 'xlsx'; use csv, parquet or json")
    assert(Scoring.outputFormat("/data/o.txt", "PARQUET") == "parquet")
  }

  test("tracking URIs: http(s) only, in the table's words") {
    assert(Rules.isTrackingServer("http://127.0.0.1:5000") && Rules.isTrackingServer("https://mlflow.example"))
    for (uri <- Seq("file:///tmp/mlruns", "databricks", null)) {
      val e = intercept[BridgeException](Mlflow.forUri(uri))
      assert(e.getMessage == Rules.message("message.tracking-uri", "uri" -> Option(uri).getOrElse("")))
      assert(e.getMessage.startsWith(s"tracking URI '${Option(uri).getOrElse("")}' is not an http(s) tracking server"))
    }
  }

  test("a standalone master must be well formed and answer; other masters are Spark's") {
    Rules.checkMaster("local[2]")
    Rules.checkMaster("yarn")
    assert(
      intercept[BridgeException](Rules.checkMaster("spark://nohost")).getMessage ==
        "Spark master spark://nohost is not a proper spark:// URL: use spark://host:port"
    )
    assert(intercept[BridgeException](Rules.checkMaster("spark://h:-1")).getMessage.contains("is not a proper spark:// URL"))
    val free = {
      val s = new java.net.ServerSocket(0);
      try s.getLocalPort
      finally s.close()
    }
    val dead = intercept[BridgeException](Rules.checkMaster(s"spark://127.0.0.1:$free"))
    assert(
      dead.getMessage.matches(s"Spark master spark://127.0.0.1:$free does not answer at 127.0.0.1:$free \\(.+\\): start the cluster or fix --master"),
      dead.getMessage
    )
    val live = new java.net.ServerSocket(0)
    try Rules.checkMaster(s"spark://127.0.0.1:$free,127.0.0.1:${live.getLocalPort}")
    finally live.close()
  }
}
