package mlflowbridge
package model

import java.nio.file.{Files, Paths}

import scala.jdk.CollectionConverters._
import scala.util.control.NonFatal

import org.apache.spark.ml.PipelineModel
import org.apache.spark.ml.functions.vector_to_array
import org.apache.spark.ml.linalg.SQLDataTypes.VectorType
import org.apache.spark.sql.{Column, DataFrame, Dataset, Observation, Row, SparkSession}
import org.apache.spark.sql.functions.{col, count, lit, to_json}
import org.apache.spark.sql.types._

/**
 * Batch scoring of a file with a model URI, straight through Spark: read (CSV with a header and
 * the signature's types, Parquet, JSON lines), check, transform, and write the input columns plus
 * the model's outputs (prediction, probability as an array, label strings) to one output file.
 * Nothing passes through the driver but the row count.
 */
private[mlflowbridge] object Scoring {

  /**
   * Scores `input` into `output`; `format` (csv, parquet, json; null = from the extension) applies
   * to the output. Returns the row count.
   */
  def scoreFile(spark: SparkSession, mlflow: Mlflow, modelUri: String, input: String, output: String, format: String): Long = {
    val outFormat = outputFormat(output, format) // a bad output name fails before any work
    checkInput(input)
    Models.loadAny(mlflow, modelUri, spark) match {
      case loaded: LoadedOnnx =>
        val onnx = loaded.model
        val scored = onnx.transform(read(spark, input, onnx.signature))
        try write(scored, output, outFormat)
        catch { case e: org.apache.spark.SparkException => throw onnx.explain(e) }
      case loaded: LoadedPipeline =>
        val (model, signature) = (loaded.model, loaded.signature)
        val df = read(spark, input, signature)
        val scored = score(model, df, signature)
        try write(scored, output, outFormat)
        catch { case NonFatal(e) if !e.isInstanceOf[BridgeException] => throw InputCheck.explainFailure(model, castToSignature(df, signature), e) }
    }
  }

  /** Checks `df` and returns it with the model's output columns; intermediate columns are dropped. */
  def score(model: PipelineModel, df: Dataset[Row], signature: Option[Seq[ColSpec]]): DataFrame = {
    InputCheck.check(model, df, signature)
    transform(model, df, signature)
  }

  /** [[score]] without the check for rows (no Spark job): the row scorer plans a placeholder with none. */
  def transform(model: PipelineModel, df: Dataset[Row], signature: Option[Seq[ColSpec]]): DataFrame = {
    InputCheck.checkSchema(model, df, signature)
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
    val to = widenings(signature)
    df.select(df.schema.fields.toSeq.map { f =>
      widened(f, to).fold(col(PipelineColumns.quote(f.name)))(t => col(PipelineColumns.quote(f.name)).cast(t).as(f.name))
    }: _*)
  }

  /** The schema [[castToSignature]] gives, without planning a DataFrame (the row scorer checks each request's schema). */
  def castSchema(schema: StructType, signature: Option[Seq[ColSpec]]): StructType = {
    val to = widenings(signature)
    StructType(schema.fields.map(f => widened(f, to).fold(f)(t => f.copy(dataType = t))))
  }

  private def widenings(signature: Option[Seq[ColSpec]]): Map[String, DataType] =
    signature.toSeq.flatten.flatMap(s => Signature.sparkType(s).map(s.name -> _)).toMap

  private def widened(f: StructField, to: Map[String, DataType]): Option[DataType] =
    to.get(f.name).filter(t => t != f.dataType && f.dataType.isInstanceOf[NumericType])

  /** An input file or a directory of part files that exists and is not empty; a Parquet file has Parquet's magic bytes at both ends. */
  def checkInput(input: String): Unit = {
    val fmt = Rules.formatOf(input)
    val p = Paths.get(input)
    if (!Files.exists(p)) throw BridgeException.notFound(s"input $input does not exist")
    if (Files.isRegularFile(p) && Files.size(p) == 0) throw BridgeException.badInput(s"input file $input is empty")
    if (fmt == "parquet" && Files.isRegularFile(p) && !hasParquetMagic(p))
      throw BridgeException.badInput(s"input file $input is not valid parquet: it does not start and end with Parquet's magic bytes PAR1")
  }

  private def hasParquetMagic(p: java.nio.file.Path): Boolean = {
    val ch = java.nio.channels.FileChannel.open(p)
    try {
      def at(pos: Long) = { val b = java.nio.ByteBuffer.allocate(4); ch.read(b, pos); new String(b.array(), "US-ASCII") }
      ch.size() >= 12 && at(0) == "PAR1" && at(ch.size() - 4) == "PAR1"
    } finally ch.close()
  }

  /** Reads `input` with no signature (CSV types inferred). */
  def read(spark: SparkSession, input: String): DataFrame = read(spark, input, None)

  /** For Python: the signature inputs as MLmodel's JSON string, or null. */
  def read(spark: SparkSession, input: String, signatureInputsJson: String): DataFrame =
    read(spark, input, Option(signatureInputsJson).flatMap(Signature.parse))

  /**
   * Reads `input` by its extension. CSV takes the signature's types for the columns it names and
   * keeps the others as text (one pass, no inference, exact text through); without a signature
   * Spark infers the types.
   */
  def read(spark: SparkSession, input: String, signature: Option[Seq[ColSpec]]): DataFrame = {
    checkInput(input)
    val fmt = Rules.formatOf(input)
    try readAs(spark, input, fmt, signature)
    catch { case NonFatal(e) => throw BridgeException.badInput(s"input file $input is not valid $fmt: ${InputCheck.firstLine(e)}") }
  }

  private def readAs(spark: SparkSession, input: String, fmt: String, signature: Option[Seq[ColSpec]]): DataFrame =
    fmt match {
      case "csv" =>
        val csv = spark.read.option("header", "true")
        signature.map(csvSchema(spark, input, _)) match {
          case Some(schema) => csv.option("enforceSchema", "false").schema(schema).csv(input)
          case None         => csv.option("inferSchema", "true").csv(input)
        }
      case "parquet" => spark.read.parquet(input)
      case "json"    => inFileOrder(spark.read.json(input), input)
    }

  /** Spark's JSON reader sorts the columns by name; put them back in the order of the file's first record. */
  private def inFileOrder(df: DataFrame, input: String): DataFrame = {
    val p = Paths.get(input)
    val file =
      if (Files.isRegularFile(p)) Some(p)
      else {
        val s = Files.list(p)
        try s.iterator().asScala.filter(f => Files.isRegularFile(f) && !f.getFileName.toString.startsWith(".")).toSeq.sorted.headOption
        finally s.close()
      }
    val first = file.flatMap { f =>
      val lines = Files.lines(f)
      try lines.iterator().asScala.map(_.trim).find(_.nonEmpty)
      finally lines.close()
    }
    val keys = first.flatMap(l => scala.util.Try(rest.Json.mapper.readTree(l).fieldNames().asScala.toSeq).toOption).getOrElse(Nil)
    val ordered = keys.filter(df.columns.contains) ++ df.columns.filterNot(keys.contains)
    df.select(ordered.map(c => col(PipelineColumns.quote(c))): _*)
  }

  /** The CSV header's columns, typed by the signature where it names them (and Spark can parse the type), text otherwise. */
  private def csvSchema(spark: SparkSession, input: String, signature: Seq[ColSpec]): StructType = {
    val header = spark.read.option("header", "true").csv(input).columns // reads the first line only
    val types = signature.flatMap(s => csvType(s).map(s.name -> _)).toMap
    StructType(header.toSeq.map(name => StructField(name, types.getOrElse(name, StringType))))
  }

  private def csvType(spec: ColSpec): Option[DataType] = spec.tpe match {
    case "boolean"  => Some(BooleanType)
    case "string"   => Some(StringType)
    case "datetime" => Some(TimestampType)
    case _          => Signature.sparkType(spec)
  }

  /** `format` when given (csv, parquet, json), else the output's extension tells ([[Rules.formatOf]]). */
  def outputFormat(output: String, format: String): String = Option(format).fold(Rules.formatOf(output))(Rules.namedFormat)

  /**
   * Writes `df` to one file at `output` and returns its row count (observed while writing: no
   * second pass). Spark writes its parts in parallel; [[SingleFile]] joins them in order.
   */
  def write(df: DataFrame, output: String, format: String): Long = {
    val fmt = outputFormat(output, format)
    val rows = new Observation("rows")
    val flat = flatten(df, fmt).observe(rows, count(lit(1)).as("n"))
    SingleFile.write(flat, Paths.get(output).toAbsolutePath, fmt)
    rows.get("n").asInstanceOf[Long]
  }

  /** Vectors become arrays (Parquet/JSON) or JSON text (CSV, which has no arrays). */
  private def flatten(df: DataFrame, format: String): DataFrame = df.select(df.schema.fields.toSeq.map { f =>
    val c: Column = col(PipelineColumns.quote(f.name))
    if (f.dataType == VectorType) {
      val arr = vector_to_array(c)
      (if (format == "csv") to_json(arr) else arr).as(f.name)
    } else if (format == "csv" && (f.dataType match { case _: ArrayType | _: MapType | _: StructType => true; case _ => false }))
      to_json(c).as(f.name)
    else c
  }: _*)
}
