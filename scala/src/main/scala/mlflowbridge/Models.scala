package mlflowbridge

import mlflowbridge.rest._
import mlflowbridge.model._
import mlflowbridge.onnx.{OnnxFlavor, OnnxModel}
import mlflowbridge.serve.ScoringServer
import mlflowbridge.store.Transfers

import java.nio.file.{Files, Path, Paths}

import scala.jdk.CollectionConverters._
import scala.util.control.NonFatal

import org.apache.spark.ml.PipelineModel
import org.apache.spark.sql.{DataFrame, Dataset, Row, SparkSession}
import org.apache.spark.sql.types.StructType

/**
 * What Python's `log_model` and `mlflow.models.get_model_info` return (`mlflow.models.model.ModelInfo`):
 * where the model is and what it is. `signatureInputs`/`signatureOutputs` are the MLmodel's
 * JSON strings (null without a signature), `inputExample` the saved input example in pandas'
 * split layout (`{"columns": [...], "data": [[...]]}`; null without one).
 */
final case class ModelInfo(
    modelUri: String,
    runId: String,
    artifactPath: String,
    flavors: java.util.List[String],
    signatureInputs: String,
    modelUuid: String,
    utcTimeCreated: String,
    signatureOutputs: String,
    inputExample: String
) {

  /** The input example as a DataFrame (columns typed by the signature, vectors as Spark ML vectors); null without one. */
  def inputExampleFrame(spark: SparkSession): DataFrame =
    if (inputExample == null) null else Models.exampleFrame(spark, inputExample, Option(signatureInputs).flatMap(Signature.parse), modelUri)
}

/**
 * `mlflow.models`: the JVM's `mlflow.spark`. Logs a fitted PipelineModel as an MLflow model that
 * Python loads, and loads one (Python- or JVM-logged) from any model URI Python accepts
 * (runs:/, models:/name/version|stage|latest, models:/name@alias, models:/m-..., mlflow-artifacts:/, s3://,
 * file: and local paths).
 */
final class Models private[mlflowbridge] (mlflow: Mlflow) {

  /** Model URIs resolved against this Mlflow's server. */
  private[mlflowbridge] val uris = new ModelUri(mlflow)

  /**
   * Logs `model` into run `runId` under `artifactPath` as `mlflow.spark.log_model` does (files,
   * then `runs/log-model`, which records `mlflow.log-model.history`). `inputExample` (a few rows)
   * and `trainingSchema` (the columns the model is fed; only those the pipeline reads go into the
   * signature) may be null.
   */
  def log(runId: String, model: PipelineModel, artifactPath: String, inputExample: Dataset[Row], trainingSchema: StructType): ModelInfo = {
    if (model == null) throw BridgeException.badInput("model must not be null")
    logDir(runId, artifactPath, (dir, path) => SparkFlavor.save(model, dir, path, runId, inputExample, trainingSchema))
  }

  /** [[log]] of a model [[model.SparkFlavor.prepare]] prepared (its data is moved into the model): no Spark needed, even a stopped one. */
  private[mlflowbridge] def logPrepared(runId: String, model: PipelineModel, artifactPath: String, prepared: SparkFlavor.Prepared): ModelInfo =
    logDir(runId, artifactPath, (dir, path) => SparkFlavor.save(model, dir, path, runId, null, null, Some(prepared)))

  /** Writes a model directory with `save` (dir, artifact path), logs it under the path and records it in the run. */
  private def logDir(runId: String, artifactPath: String, save: (Path, String) => MlModel): ModelInfo = {
    if (runId == null || runId.isEmpty) throw BridgeException.badInput("run id must not be empty")
    val path = Option(artifactPath).map(_.stripPrefix("/").stripSuffix("/")).getOrElse("")
    if (path.isEmpty || path.split("/").contains(".."))
      throw BridgeException.badInput(s"artifact path '$artifactPath' must be a non-empty relative path without '..'")
    mlflow.artifacts.runArtifactUri(runId) // fail on a bad run before any work
    val tmp = Files.createTempDirectory(Models.workRoot, "log-")
    try {
      val dir = tmp.resolve("model")
      val mm = save(dir, path)
      mlflow.artifacts.logArtifacts(runId, dir, path)
      recordLoggedModel(runId, mm)
      Models.info(s"runs:/$runId/$path", mm, Models.exampleFile(mm).map(dir.resolve).filter(Files.isRegularFile(_)))
    } finally Transfers.deleteTree(tmp)
  }

  def log(runId: String, model: PipelineModel, artifactPath: String): ModelInfo = log(runId, model, artifactPath, null, null)

  /**
   * Logs an ONNX model (its serialized bytes, e.g. from [[onnx.OnnxGraph.linear]]) into run `runId`
   * as `mlflow.onnx.log_model` does: `onnx` and `python_function` flavors, so stock Python loads it.
   * `inputSchema` (the columns that feed it, in order) makes the signature; `inputExample` may be null.
   */
  def logOnnx(runId: String, onnxModel: Array[Byte], artifactPath: String, inputExample: Dataset[Row], inputSchema: StructType): ModelInfo = {
    if (onnxModel == null || onnxModel.isEmpty) throw BridgeException.badInput("ONNX model bytes must not be empty")
    logDir(runId, artifactPath, (dir, path) => OnnxFlavor.save(onnxModel, dir, path, runId, inputExample, inputSchema))
  }

  /**
   * An ONNX model from any model URI whose MLmodel has the `onnx` flavor (logged by
   * `mlflow.onnx.log_model`, [[logOnnx]], or `bridge.onnx.convert_sklearn`): scores rows here and
   * DataFrames in the executors, inputs mapped by the signature.
   */
  def loadOnnx(modelUri: String): OnnxModel = Models.loadOnnx(mlflow, modelUri)

  /** Loads a Spark ML model from a model URI (without its signature: [[loadWithSignature]] keeps it for [[score]]). */
  def load(modelUri: String, spark: SparkSession): PipelineModel = Models.loadPipeline(mlflow, modelUri, spark).model

  /** Loads a Spark ML model from a model URI with its MLmodel signature, which then guides [[score]]. */
  def loadWithSignature(modelUri: String, spark: SparkSession): LoadedPipeline = Models.loadPipeline(mlflow, modelUri, spark)

  /** Downloads a model's directory to `dst` (created if needed) and returns its local path. */
  def download(modelUri: String, dst: String): String = {
    val target = Paths.get(dst)
    Files.createDirectories(target)
    uris.fetch(modelUri, target).toString
  }

  /**
   * Python's `mlflow.models.get_model_info(modelUri)`: flavors, signature, input example, run id,
   * model uuid and creation time from the model's MLmodel (and its input example file) alone,
   * without downloading the model's data.
   */
  def info(modelUri: String): ModelInfo = {
    val tmp = Files.createTempDirectory(Models.workRoot, "info-")
    try {
      val file = uris.files(modelUri, tmp)
      val mlmodel = file(MlModelFile.FileName).getOrElse(throw BridgeException.notFound(s"$modelUri has no ${MlModelFile.FileName} file"))
      val mm = MlModelFile.parse(new String(Files.readAllBytes(mlmodel), java.nio.charset.StandardCharsets.UTF_8), modelUri)
      Models.info(modelUri, mm, Models.exampleFile(mm).flatMap(file))
    } finally Transfers.deleteTree(tmp)
  }

  /** Checks `df` against the model's signature and its stages' inputs and returns the inputs plus the model's outputs. */
  def score(model: LoadedPipeline, df: Dataset[Row]): DataFrame = Scoring.score(model.model, df, model.signature)

  /** Checks `df` against the stages' inputs (Spark's `transformSchema`) and returns the inputs plus the model's outputs. */
  def score(model: PipelineModel, df: Dataset[Row]): DataFrame = Scoring.score(model, df, None)

  /** Scores the file `input` (csv, parquet, json lines) into `output` (format from its extension); returns the row count. */
  def scoreFile(spark: SparkSession, modelUri: String, input: String, output: String): Long =
    Scoring.scoreFile(spark, mlflow, modelUri, input, output, null)

  /**
   * A scorer for `modelUri` that scores single rows and small batches in this JVM with no Spark
   * job and no HTTP (see [[RowScorer]]); loaded and, with a signature, compiled once. `spark`
   * plans each new input schema once; refused, naming the stage, when the model's plan is not row-wise.
   */
  def rowScorer(modelUri: String, spark: SparkSession): RowScorer = {
    val loaded = Models.loadPipeline(mlflow, modelUri, spark)
    new RowScorer(spark, modelUri, loaded.model, loaded.signature)
  }

  /** [[rowScorer]] with the active Spark session, or a local one. */
  def rowScorer(modelUri: String): RowScorer = rowScorer(modelUri, Models.session())

  /**
   * Serves `modelUri` with MLflow's scoring protocol (as `mlflow models serve`) on `host:port`
   * (0: a free port) until the handle is closed; loaded once, scored with `spark`.
   */
  def serve(modelUri: String, spark: SparkSession, host: String, port: Int): ScoringServer =
    ScoringServer.start(mlflow, modelUri, spark, host, port, ScoringServer.DefaultMaxBodyBytes, None)

  /** [[serve]] with the active Spark session, or a local one. */
  def serve(modelUri: String, host: String, port: Int): ScoringServer = {
    serve(modelUri, Models.session(), host, port)
  }

  /** [[serve]] refusing request bodies over `maxBodyBytes` (413). */
  def serve(modelUri: String, spark: SparkSession, host: String, port: Int, maxBodyBytes: Long): ScoringServer =
    ScoringServer.start(mlflow, modelUri, spark, host, port, maxBodyBytes, None)

  /**
   * [[serve]] that follows `aliasUri` (`models:/<name>@<alias>`, nothing else): the registry is
   * read every `pollSeconds`, and when the alias moves, the version it names is loaded and warmed
   * off the request threads, then swapped in; requests in flight finish on the old version. A
   * version that fails to load leaves the old one serving (logged in one line) and is tried again
   * at the next poll. `ScoringServer.modelVersion` and each answer's `X-Mlflowbridge-Model-Version`
   * header say which version answers.
   */
  def serveFollowingAlias(aliasUri: String, pollSeconds: Double, spark: SparkSession, host: String, port: Int, maxBodyBytes: Long): ScoringServer =
    ScoringServer.start(mlflow, aliasUri, spark, host, port, maxBodyBytes, Some(pollSeconds))

  /** `POST runs/log-model` with MLflow's `Model.get_tags_dict()` as model_json. */
  private def recordLoggedModel(runId: String, mm: MlModel): Unit = {
    val tags = mm.toNode.retain("run_id", "utc_time_created", "artifact_path", "model_uuid", "flavors")
    mlflow.rest.expect(s"record the logged model in run '$runId'")(
      mlflow.rest.post("runs/log-model", Json.obj("run_id" -> runId, "model_json" -> Json.write(tags)))
    )
  }
}

private[mlflowbridge] object Models {

  /** The active Spark session, or a local one. */
  def session(): SparkSession =
    SparkSession.getActiveSession.orElse(SparkSession.getDefaultSession).getOrElse(cli.Main.localSpark("mlflow-bridge-serve"))

  /** A Spark ML model with its MLmodel signature inputs. */
  def loadPipeline(mlflow: Mlflow, uri: String, spark: SparkSession): LoadedPipeline = sparkFrom(fetchDir(mlflow, uri), uri, spark)

  /** A model the CLI and the server take: an ONNX model (onnx flavor, no spark flavor) or a Spark one with its signature. */
  def loadAny(mlflow: Mlflow, uri: String, spark: SparkSession): LoadedModel = loadAnyWithExample(mlflow, uri, spark)._1

  /**
   * [[loadAny]] and the model's input example (pandas split-layout JSON) when its MLmodel names
   * one: what a server warms a new model with. A failed load leaves no download behind.
   */
  def loadAnyWithExample(mlflow: Mlflow, uri: String, spark: SparkSession): (LoadedModel, Option[String]) = {
    val dir = fetchDir(mlflow, uri)
    try {
      val mm = if (Files.isRegularFile(dir.resolve(MlModelFile.FileName))) Some(MlModelFile.read(dir, uri)) else None
      val model = mm.filter(_.isOnnx).fold[LoadedModel](sparkFrom(dir, uri, spark))(onnxFrom(dir, uri, _))
      val example = mm.flatMap(exampleFile).map(dir.resolve).filter(Files.isRegularFile(_))
      (model, example.map(p => new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.UTF_8)))
    } catch { case NonFatal(e) if dir.startsWith(workRoot) => Transfers.deleteTree(dir); throw e }
  }

  private def fetchDir(mlflow: Mlflow, uri: String): Path = {
    val dir = mlflow.models.uris.fetch(uri, Files.createTempDirectory(workRoot, "model-"))
    if (!Files.isDirectory(dir)) throw BridgeException.badInput(s"model URI $uri is a file, not a model directory")
    dir
  }

  private def sparkFrom(dir: Path, uri: String, spark: SparkSession): LoadedPipeline = {
    if (Files.isRegularFile(dir.resolve(MlModelFile.FileName))) {
      val mm = MlModelFile.read(dir, uri)
      val data = mm.sparkModelData(uri)
      val sparkDir = dir.resolve(data)
      if (!Files.isDirectory(sparkDir))
        throw BridgeException.badInput(s"model $uri is incomplete: its MLmodel names Spark model data '$data/', which is missing")
      CustomStages.addJars(spark, dir, mm, uri)
      new LoadedPipeline(uri, PipelineRebuild.load(sparkDir, spark, uri), mm.inputs, mm.signature.flatMap(_.paramsJson))
    } else {
      // Legacy layout (amesar/mlflow-examples): no MLmodel; the dir is the saved pipeline or holds sparkml/.
      val sparkDir =
        if (PipelineRebuild.savedClass(dir).isDefined) dir
        else if (Files.isDirectory(dir.resolve(SparkFlavor.ModelData))) dir.resolve(SparkFlavor.ModelData)
        else throw BridgeException.badInput(s"model $uri has no MLmodel file and no Spark model: '${SparkFlavor.ModelData}/' is missing")
      new LoadedPipeline(uri, PipelineRebuild.load(sparkDir, spark, uri), None)
    }
  }

  /** [[Models.loadOnnx]]: the onnx flavor's file, planned with the MLmodel's signature. */
  def loadOnnx(mlflow: Mlflow, uri: String): OnnxModel = {
    val dir = fetchDir(mlflow, uri)
    onnxFrom(dir, uri, MlModelFile.read(dir, uri)).model
  }

  private def onnxFrom(dir: Path, uri: String, mm: MlModel): LoadedOnnx =
    new LoadedOnnx(uri, OnnxModel.plan(uri, Files.readAllBytes(OnnxFlavor.dataFile(mm, dir, uri)), mm.inputs), mm.signature.flatMap(_.paramsJson))

  def info(uri: String, mm: MlModel, example: Option[Path]): ModelInfo = {
    val exampleText = example.map(p => new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.UTF_8)).orNull
    ModelInfo(
      uri,
      mm.runId.orNull,
      mm.artifactPath.orNull,
      mm.flavors.keys.toList.sorted.asJava,
      mm.signature.flatMap(_.inputsJson).orNull,
      mm.modelUuid.orNull,
      mm.utcTimeCreated.orNull,
      mm.signature.flatMap(_.outputsJson).orNull,
      exampleText
    )
  }

  /** The input example file MLmodel names, when it is a DataFrame in pandas' split layout (what a Spark model takes). */
  def exampleFile(mm: MlModel): Option[String] = mm.inputExample.flatMap(_.splitFrameFile)

  /** A split-layout example as a DataFrame: JSON rows read with the signature's types (vectors from their arrays). */
  def exampleFrame(spark: SparkSession, json: String, signature: Option[Seq[ColSpec]], where: String): DataFrame = {
    val table = ArtifactFiles.readTable(json, s"the input example of $where")
    val records = table.rows.map { r =>
      val o = Json.mapper.createObjectNode()
      table.columns.zip(r).foreach { case (c, v) => o.set[com.fasterxml.jackson.databind.JsonNode](c, v) }
      o.toString
    }
    val types = signature.getOrElse(Nil).map(c => c.name -> c).toMap
    val fields = table.columns.map { c =>
      val t = types.get(c).map { spec =>
        if (spec.tpe == "sparkml_vector") org.apache.spark.sql.types.ArrayType(org.apache.spark.sql.types.DoubleType)
        else scala.util.Try(org.apache.spark.sql.types.DataType.fromDDL(exampleType(spec))).getOrElse(org.apache.spark.sql.types.StringType)
      }
      org.apache.spark.sql.types.StructField(c, t.getOrElse(org.apache.spark.sql.types.StringType))
    }
    import spark.implicits._
    val read =
      if (types.isEmpty) spark.read.json(spark.createDataset(records)).select(table.columns.map(org.apache.spark.sql.functions.col): _*)
      else spark.read.schema(org.apache.spark.sql.types.StructType(fields)).json(spark.createDataset(records))
    types.values.filter(_.tpe == "sparkml_vector").foldLeft(read) { (df, spec) =>
      df.withColumn(spec.name, org.apache.spark.ml.functions.array_to_vector(org.apache.spark.sql.functions.col(spec.name)))
    }
  }

  private def exampleType(spec: ColSpec): String = spec.tpe match {
    case "double"   => "double"
    case "float"    => "float"
    case "long"     => "bigint"
    case "integer"  => "int"
    case "boolean"  => "boolean"
    case "binary"   => "binary"
    case "datetime" => "timestamp"
    case "array"    => s"array<${spec.items.map(i => exampleType(ColSpec("", i))).getOrElse("string")}>"
    case _          => "string"
  }

  /** Downloads live here until the JVM exits: some stages (e.g. ALS) read their data lazily. */
  lazy val workRoot: Path = {
    val root = Files.createTempDirectory("mlflow-bridge-")
    made = Some(root)
    Runtime.getRuntime.addShutdownHook(new Thread(() => Transfers.deleteTree(root)))
    root
  }
  @volatile private var made: Option[Path] = None

  /** What the shutdown hook does, for a process that leaves without running hooks. */
  def deleteWorkRoot(): Unit = made.foreach(Transfers.deleteTree)
}
