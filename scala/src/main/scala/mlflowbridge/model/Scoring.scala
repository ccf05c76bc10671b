package mlflowbridge
package model

import java.nio.file.{Files, Paths, StandardCopyOption}

import scala.jdk.CollectionConverters._
import scala.util.control.NonFatal

import org.apache.spark.ml.PipelineModel
import org.apache.spark.ml.functions.vector_to_array
import org.apache.spark.ml.linalg.SQLDataTypes.VectorType
import org.apache.spark.sql.{Column, DataFrame, Dataset, Row, SparkSession}
import org.apache.spark.sql.functions.{col, to_json}
import org.apache.spark.sql.types.{ArrayType, MapType, NumericType, StructType}

/**
 * Batch scoring of a file with a model URI: read (CSV with header, Parquet, JSON lines), check,
 * transform, and write the input columns plus the model's outputs (prediction, probability as
 * an array, and label strings from IndexToString) to one output file.
 */
private[mlflowbridge] object Scoring {

  /**
   * Scores `input` into `output`; `format` (csv, parquet, json; null = from the extension) applies
   * to the output. `mlflow` may be null for a local model. Returns the row count.
   */
  def scoreFile(spark: SparkSession, mlflow: Mlflow, modelUri: String, input: String, output: String, format: String): Long = {
    val df = read(spark, input)
    val (model, signature) = Models.loadWithSignature(mlflow, modelUri, spark)
    val scored = score(model, df, signature).cache()
    try {
      val n =
        try scored.count()
        catch { case NonFatal(e) => throw InputCheck.explainFailure(model, castToSignature(df, signature), e) }
      write(scored, output, Option(format).getOrElse(formatOf(output)))
      n
    } finally scored.unpersist()
  }

  /** Checks `df` and returns it with the model's output columns; intermediate columns are dropped. */
  def score(model: PipelineModel, df: Dataset[Row], signature: Option[Seq[ColSpec]]): DataFrame = {
    InputCheck.check(model, df, signature)
    val input = castToSignature(df, signature)
    // Analysis errors surface here (a stage whose transformSchema did not check its inputs).
    val out =
      try model.transform(input)
      catch { case NonFatal(e) => throw InputCheck.explainFailure(model, input, e) }
    // Input columns the pipeline kept (a SQLTransformer may drop some), then the model's results.
    val keep = df.columns.toSeq.filter(out.columns.contains) ++ PipelineColumns.outputs(model, input.schema)
    out.select(keep.map(c => col(PipelineColumns.quote(c))): _*)
  }

  /** Casts columns the signature accepts by widening (e.g. CSV integers for a double) to the signature's type. */
  def castToSignature(df: Dataset[Row], signature: Option[Seq[ColSpec]]): DataFrame = {
    val want = signature.toSeq.flatten.flatMap(s => Signature.sparkType(s).map(s.name -> _)).toMap
    val cols = df.schema.fields.toSeq.map { f =>
      want
        .get(f.name)
        .filter(t => t != f.dataType && f.dataType.isInstanceOf[NumericType])
        .fold(col(PipelineColumns.quote(f.name)))(t => col(PipelineColumns.quote(f.name)).cast(t).as(f.name))
    }
    df.select(cols: _*)
  }

  def read(spark: SparkSession, input: String): DataFrame = {
    if (!Files.exists(Paths.get(input))) throw BridgeException.notFound(s"input $input does not exist")
    formatOf(input) match {
      case "csv"     => spark.read.option("header", "true").option("inferSchema", "true").csv(input)
      case "parquet" => spark.read.parquet(input)
      case "json"    => spark.read.json(input)
    }
  }

  def formatOf(path: String): String = {
    val name = Paths.get(path).getFileName.toString.toLowerCase
    if (name.endsWith(".csv")) "csv"
    else if (name.endsWith(".parquet") || name.endsWith(".pq")) "parquet"
    else if (name.endsWith(".json") || name.endsWith(".jsonl") || name.endsWith(".ndjson")) "json"
    else throw BridgeException.badInput(s"cannot tell the format of $path: use .csv, .parquet, or .json/.jsonl (JSON lines), or pass a format")
  }

  /** Writes one file at `output` (Spark writes a directory; its single part file is moved into place). */
  def write(df: DataFrame, output: String, format: String): Unit = {
    val target = Paths.get(output).toAbsolutePath
    Option(target.getParent).foreach(Files.createDirectories(_))
    val tmp = target.resolveSibling(s".${target.getFileName}.tmp-${java.util.UUID.randomUUID().toString.take(8)}")
    try {
      val writer = flatten(df, format).coalesce(1).write.mode("overwrite")
      format.toLowerCase match {
        case "csv"     => writer.option("header", "true").csv(tmp.toString)
        case "parquet" => writer.parquet(tmp.toString)
        case "json"    => writer.json(tmp.toString)
        case other     => throw BridgeException.badInput(s"unknown output format '$other': use csv, parquet or json")
      }
      val s = Files.list(tmp)
      val part =
        try s.iterator().asScala.find(_.getFileName.toString.startsWith("part-"))
        finally s.close()
      Files.move(part.getOrElse(throw new IllegalStateException(s"Spark wrote no part file to $tmp")), target, StandardCopyOption.REPLACE_EXISTING)
    } finally ArtifactStore.deleteTree(tmp)
  }

  /** Vectors become arrays (Parquet/JSON) or JSON text (CSV, which has no arrays). */
  private def flatten(df: DataFrame, format: String): DataFrame = df.select(df.schema.fields.toSeq.map { f =>
    val c: Column = col(PipelineColumns.quote(f.name))
    if (f.dataType == VectorType) {
      val arr = vector_to_array(c)
      (if (format.equalsIgnoreCase("csv")) to_json(arr) else arr).as(f.name)
    } else if (format.equalsIgnoreCase("csv") && (f.dataType match { case _: ArrayType | _: MapType | _: StructType => true; case _ => false }))
      to_json(c).as(f.name)
    else c
  }: _*)
}
