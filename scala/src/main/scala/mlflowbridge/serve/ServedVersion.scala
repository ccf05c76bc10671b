package mlflowbridge
package serve

import java.nio.charset.StandardCharsets

import org.apache.spark.sql.SparkSession

/**
 * A loaded model as the server answers with it: what scores requests, the registry version it
 * is (None: not from the registry; goes into [[ScoringServer.VersionHeader]]), the params its
 * MLmodel declares (swapped with the model) and its input
 * example, to warm it with before it takes requests.
 */
private[serve] final class ServedVersion(
    val served: Served,
    val params: RequestParams,
    val version: Option[String],
    example: Option[String]
) {

  /**
   * Scores the input example as a request (`dataframe_split`) would be: every stage runs once and the
   * example's schema has its scoring path chosen before the first request comes.
   */
  def warm(): Unit = example.foreach { json =>
    try served.predict(RequestTable.parse("application/json", s"""{"dataframe_split": $json}""".getBytes(StandardCharsets.UTF_8)))
    catch {
      case e: RequestError => throw BridgeException.badInput(s"its input example does not score: ${e.getMessage}")
    }
  }
}

private[serve] object ServedVersion {

  /**
   * Loads `uri` whole. A registry URI is pinned first (`models:/name@alias` to `models:/name/<v>`),
   * so the version reported is the one loaded.
   */
  def load(mlflow: Mlflow, uri: String, spark: SparkSession): ServedVersion = {
    val pinned = mlflow.models.uris.pinVersion(uri)
    val (loaded, example) = Models.loadAnyWithExample(mlflow, pinned.fold(uri)(_._1), spark)
    val served = loaded match {
      case onnx: LoadedOnnx         => new ServedOnnx(onnx.model)
      case pipeline: LoadedPipeline => new ServedModel(spark, pipeline.model, pipeline.signature)
    }
    new ServedVersion(served, RequestParams.of(loaded.paramsJson), pinned.map(_._2), example)
  }
}
