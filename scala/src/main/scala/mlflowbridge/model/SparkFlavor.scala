package mlflowbridge
package model

import mlflowbridge.rest._

import scala.collection.immutable.ListMap

import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path}
import java.time.{LocalDateTime, ZoneOffset}
import java.time.format.DateTimeFormatter

import scala.jdk.CollectionConverters._

import org.apache.spark.ml.PipelineModel
import org.apache.spark.ml.mlflowbridge.ParallelPipelineWriter
import org.apache.spark.ml.linalg.Vector
import org.apache.spark.sql.{Dataset, Row, SparkSession}
import org.apache.spark.sql.types.StructType

/**
 * Writes an MLflow model directory for the `spark` flavor the way `mlflow.spark.save_model`
 * (MLflow 3.17.2) does, so stock Python `mlflow.spark.load_model` and `mlflow.pyfunc.load_model`
 * read it: MLmodel, sparkml/ (Spark's own writer), conda.yaml, python_env.yaml, requirements.txt,
 * and input_example.json + serving_input_example.json when an example is given.
 */
private[mlflowbridge] object SparkFlavor {
  val ModelData = "sparkml"

  /** What of a model's directory needs a running Spark: its Spark data (written to `data`) and its signature. */
  final case class Prepared(data: Path, signature: Option[(Seq[ColSpec], Option[Seq[ColSpec]])])

  /**
   * Writes the model's Spark data (`model.write.save`'s files, by Spark's own writers, stages
   * concurrently) into `data` and works out its signature from `trainingSchema` (nullable), so
   * that [[save]] then needs no Spark.
   */
  def prepare(model: PipelineModel, data: Path, trainingSchema: StructType, spark: SparkSession): Prepared = {
    ParallelPipelineWriter.save(model, data.toUri.toString, spark)
    Prepared(data, signature(model, trainingSchema))
  }

  private def signature(model: PipelineModel, schema: StructType): Option[(Seq[ColSpec], Option[Seq[ColSpec]])] =
    Option(schema).map(s => (signatureInputs(model, s), signatureOutputs(model, s)))

  /**
   * Writes `dir` (must not exist or be empty) and returns the MLmodel document. `prepared`: what
   * [[prepare]] made earlier (its data is moved in; `trainingSchema` is then not used).
   */
  def save(
      model: PipelineModel,
      dir: Path,
      artifactPath: String,
      runId: String,
      inputExample: Dataset[Row],
      trainingSchema: StructType,
      prepared: Option[Prepared] = None
  ): MlModel = {
    Files.createDirectories(dir)
    val signature = prepared match {
      case Some(p) =>
        Files.move(p.data, dir.resolve(ModelData))
        p.signature
      case None =>
        ParallelPipelineWriter.save(model, dir.resolve(ModelData).toUri.toString, SparkSession.active)
        this.signature(model, Option(trainingSchema).orElse(Option(inputExample).map(_.schema)).orNull)
    }
    // A team's own stages: their jars and generated pyspark wrappers travel with the model.
    val stageJars = CustomStages.save(model, dir)
    val code = if (stageJars.isEmpty) null else CustomStages.CodeDir

    val sparkVersion = org.apache.spark.SPARK_VERSION
    val flavors = ListMap(
      "python_function" -> Flavor.of(
        Seq(
          "data" -> ModelData,
          "env" -> Map("conda" -> "conda.yaml", "virtualenv" -> "python_env.yaml"),
          "loader_module" -> "mlflow.spark",
          "python_version" -> Pins.pythonVersion
        ) ++ Option(code).map("code" -> _): _*
      ),
      "spark" -> Flavor.of(
        Seq(
          "code" -> code,
          "model_class" -> "pyspark.ml.pipeline.PipelineModel",
          "model_data" -> ModelData,
          "pyspark_version" -> sparkVersion
        ) ++ (if (stageJars.isEmpty) Nil else Seq(CustomStages.FlavorKey -> ListMap(stageJars.toSeq.sortBy(_._1): _*))): _*
      )
    )
    finish(dir, artifactPath, runId, flavors, inputExample, signature, Seq(s"mlflow==${Pins.mlflowPython}", s"pyspark==$sparkVersion"))
  }

  /**
   * What every flavor's `save_model` writes after the model's own files: MLmodel (with `flavors`,
   * the signature's inputs and outputs), the input example, conda.yaml, python_env.yaml and
   * requirements.txt (`requirements`). Returns the MLmodel.
   */
  def finish(
      dir: Path,
      artifactPath: String,
      runId: String,
      flavors: ListMap[String, Flavor],
      inputExample: Dataset[Row],
      signature: Option[(Seq[ColSpec], Option[Seq[ColSpec]])],
      requirements: Seq[String]
  ): MlModel = {
    val exampleInfo = Option(inputExample).map { ex =>
      writeExample(ex, dir)
      InputExampleInfo(Some("input_example.json"), Some("dataframe"), Some("split"), Some("serving_input_example.json"))
    }
    val python = Pins.pythonVersion
    val sigFlags = if (signature.isEmpty) Nil else Seq("is_signature_from_type_hint" -> false, "type_hint_from_example" -> false)
    val mm = MlModel(
      flavors,
      signature.map { case (inputs, outputs) => MlSignature.of(inputs, outputs) },
      exampleInfo,
      Option(runId),
      Option(artifactPath),
      Some(java.util.UUID.randomUUID().toString.replace("-", "")),
      Some(LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS"))),
      Some(Pins.mlflowPython),
      // Python measures the directory before MLmodel and the environment files are written.
      Some(totalSize(dir)),
      ListMap(("model_id" -> null) +: ("prompts" -> null) +: sigFlags: _*).map { case (k, v) => k -> Json.node(v) }
    )
    MlModelFile.write(dir, mm)

    // Like mlflow when it cannot see pip's version: unpinned pip/setuptools/wheel.
    write(
      dir.resolve("conda.yaml"),
      MlModelFile.yaml(
        Json.node(
          Map("channels" -> Seq("conda-forge"), "dependencies" -> Seq(s"python=$python", "pip", Map("pip" -> requirements)), "name" -> "mlflow-env")
        )
      )
    )
    write(
      dir.resolve("python_env.yaml"),
      s"python: $python\nbuild_dependencies:\n- pip\n- setuptools\n- wheel\ndependencies:\n- -r requirements.txt\n"
    )
    write(dir.resolve("requirements.txt"), requirements.mkString("\n"))
    mm
  }

  /**
   * Signature inputs: the columns of the given schema that the pipeline needs, by Spark's own
   * `transformSchema`; the whole schema when the model does not accept it (a custom stage's
   * rules, or a schema that is not the training data's).
   */
  def signatureInputs(model: PipelineModel, schema: StructType): Seq[ColSpec] = {
    val needed = if (PipelineColumns.fits(model, schema)) PipelineColumns.requiredInputs(model, schema).toSet else Set.empty[String]
    val fields = if (needed.nonEmpty) schema.fields.filter(f => needed(f.name)) else schema.fields
    fields.toSeq.map(f => Signature.mlflowType(f.name, f.dataType))
  }

  /** The prediction column as Spark types it (double, or array<string> for FPGrowth); None when there is none. */
  def signatureOutputs(model: PipelineModel, schema: StructType): Option[Seq[ColSpec]] = {
    val prediction = PipelineColumns.predictionCol(model)
    scala.util
      .Try(model.transformSchema(schema))
      .toOption
      .flatMap(_.fields.find(_.name == prediction))
      .flatMap(f => scala.util.Try(Signature.mlflowType(f.name, f.dataType)).toOption)
      .map(Seq(_))
  }

  /** pandas `to_dict(orient="split")` without the index, as `_Example` saves a DataFrame. */
  private def writeExample(ex: Dataset[Row], dir: Path): Unit = {
    val columns = ex.columns.toSeq
    val data = ex.collect().toSeq.map(r => r.toSeq.map(jsonValue))
    val split = ListMap("columns" -> columns, "data" -> data)
    write(dir.resolve("input_example.json"), Json.write(split))
    write(dir.resolve("serving_input_example.json"), Json.writePretty(Map("dataframe_split" -> split)))
  }

  /** Row values as pandas would hold them: vectors as lists, NaN as null, times as ISO strings. */
  private[mlflowbridge] def jsonValue(v: Any): Any = v match {
    case d: Double if d.isNaN           => null
    case f: Float if f.isNaN            => null
    case v: Vector                      => v.toArray.toSeq
    case s: scala.collection.Seq[_]     => s.map(jsonValue).toSeq
    case b: Array[Byte]                 => java.util.Base64.getEncoder.encodeToString(b)
    case t: java.sql.Timestamp          => t.toLocalDateTime.toString
    case d: java.sql.Date               => d.toLocalDate.toString
    case t: java.time.Instant           => t.toString
    case t: java.time.temporal.Temporal => t.toString
    case d: java.math.BigDecimal        => d.doubleValue()
    case r: Row                         => r.toSeq.map(jsonValue)
    case other                          => other
  }

  private def totalSize(dir: Path): Long = {
    val walk = Files.walk(dir)
    try walk.iterator().asScala.filter(Files.isRegularFile(_)).map(Files.size).sum
    finally walk.close()
  }

  private def write(p: Path, text: String): Unit = Files.write(p, text.getBytes(UTF_8))
}
