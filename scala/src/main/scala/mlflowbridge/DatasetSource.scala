package mlflowbridge

import mlflowbridge.model.Signature
import mlflowbridge.rest._

import java.nio.{ByteBuffer, ByteOrder}
import java.security.MessageDigest

import scala.collection.immutable.ListMap

import com.fasterxml.jackson.databind.node.ObjectNode
import org.apache.spark.sql.{Dataset, Row}

/**
 * Where a logged Spark dataset came from, as `mlflow.data.from_spark(df, path=|table_name=|sql=)`
 * records it (source type "spark"): [[DatasetSource.path]], [[DatasetSource.table]] or [[DatasetSource.sql]].
 */
final class DatasetSource private (val kind: String, val value: String) {
  override def toString: String = s"DatasetSource($kind=$value)"
}

object DatasetSource {
  def path(path: String): DatasetSource = of("path", path)
  def table(tableName: String): DatasetSource = of("table_name", tableName)
  def sql(query: String): DatasetSource = of("sql", query)

  /**
   * Python's `CodeDatasetSource(tags)` (source type "code"): data made by the program whose run
   * tags (`mlflow.source.name`, `mlflow.user`, ...) are given; what autologging records.
   */
  def code(tags: java.util.Map[String, String]): DatasetSource = {
    if (tags == null) throw BridgeException.badInput("a code dataset source needs the run's tags")
    import scala.jdk.CollectionConverters._
    new DatasetSource("code", PyJson.dumps(Json.node(ListMap("tags" -> ListMap(tags.asScala.toSeq.sortBy(_._1): _*)))))
  }

  private def of(kind: String, value: String) = {
    if (value == null || value.trim.isEmpty) throw BridgeException.badInput(s"a dataset source's $kind must not be empty")
    new DatasetSource(kind, value)
  }
}

/** The dataset entity `SparkDataset._to_mlflow_entity()` builds, field for field. */
private[mlflowbridge] object SparkDatasets {

  /** `SparkDataset._compute_digest`: md5 of `np.int64(df.semanticHash())` (8 bytes, little-endian), first 8 hex digits. */
  def digest(df: Dataset[Row]): String = {
    val bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(df.semanticHash().toLong).array()
    MessageDigest.getInstance("MD5").digest(bytes).map(b => "%02x".format(b & 0xff)).mkString.take(8)
  }

  /** `json.dumps({"mlflow_colspec": schema.to_dict()})`; None when a column has no MLflow type (Python logs no schema then). */
  def schema(df: Dataset[Row]): Option[String] =
    scala.util
      .Try(Signature.fromSchema(df.schema))
      .toOption
      .map(cols => PyJson.dumps(Json.node(ListMap("mlflow_colspec" -> Signature.toDicts(cols)))))

  /** `SparkDataset.profile`: the approximate row count within 5 s at 90% confidence ("unknown" when none came). */
  def profile(df: Dataset[Row]): String = {
    val n = df.rdd.countApprox(5000L, 0.9).initialValue.mean.toLong
    PyJson.dumps(Json.node(ListMap("approx_count" -> (if (n <= 0) "unknown" else n))))
  }

  /**
   * A `DatasetInput` of `runs/log-inputs`: the dataset, and `mlflow.data.context` when `context`
   * is given. `profile`: [[profile]] computed earlier (null: computed here, with a Spark job).
   */
  def input(df: Dataset[Row], source: DatasetSource, name: String, context: String, profile: String = null): ObjectNode = {
    if (df == null) throw BridgeException.badInput("the dataset's DataFrame must not be null")
    if (source == null) throw BridgeException.badInput("the dataset needs a source: DatasetSource.path, .table or .sql")
    if (source.kind == "path" && java.nio.file.Files.isDirectory(java.nio.file.Paths.get(source.value).resolve("_delta_log")))
      throw BridgeException.badInput(
        s"dataset path ${source.value} is a Delta table, which from_spark records as a delta_table source with its version; the JVM bridge logs Spark sources (a path, table or query) only"
      )
    val dataset = Json.obj(
      "name" -> Option(name).filter(_.nonEmpty).getOrElse("dataset"),
      "digest" -> digest(df),
      "source_type" -> (if (source.kind == "code") "code" else "spark"),
      "source" -> (if (source.kind == "code") source.value else PyJson.dumps(Json.node(ListMap(source.kind -> source.value))))
    )
    schema(df).foreach(dataset.put("schema", _))
    dataset.put("profile", Option(profile).getOrElse(SparkDatasets.profile(df)))
    val input = Json.obj("dataset" -> dataset)
    val tags = input.putArray("tags")
    Option(context).filter(_.nonEmpty).foreach(c => tags.add(Json.obj("key" -> "mlflow.data.context", "value" -> c)))
    input
  }
}
