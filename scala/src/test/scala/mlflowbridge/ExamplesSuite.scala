package mlflowbridge

import scala.jdk.CollectionConverters._

import org.scalatest.funsuite.AnyFunSuite

/** The README's Scala example (tests/examples/ScalaRoundTrip.scala) runs, and did what it says. */
class ExamplesSuite extends AnyFunSuite {
  private val mlflow = TestServer.mlflow

  test("ScalaRoundTrip: experiment, run scope, model, alias, load and score, with the entry object only") {
    val out = new java.io.ByteArrayOutputStream()
    Console.withOut(out)(examples.ScalaRoundTrip.main(Array.empty))
    val line = out.toString.linesIterator.find(_.startsWith("run_id=")).getOrElse(fail(s"no result line in: $out"))
    val fields = line.split(" ").map(_.split("=", 2)).map(a => a(0) -> a(1)).toMap
    val run = mlflow.runs.get(fields("run_id"))
    assert(run.getInfo.getStatus.toString == "FINISHED" && run.getInfo.getRunName == "train")
    assert(run.getData.getParamsList.asScala.map(p => p.getKey -> p.getValue) == Seq("maxIter" -> "100"))
    assert(run.getData.getMetricsList.asScala.map(m => m.getKey -> m.getValue) == Seq("rows" -> 50.0))
    val champion = mlflow.registry.getModelVersionByAlias("round-trip-scala", "champion")
    assert(champion.getVersion == fields("version") && champion.getRunId == fields("run_id"))
    // y = 3a - b exactly, so the fit predicts the first rows (a = 1, 2, 3; b = a) within 1e-6.
    val predictions = fields("predictions").split(",").map(_.toDouble).toSeq
    assert(predictions.length == 3 && predictions.zip(Seq(2.0, 4.0, 6.0)).forall { case (p, want) => math.abs(p - want) < 1e-6 }, predictions)
  }
}
