package mlflowbridge

import mlflowbridge.rest._
import mlflowbridge.model._
import mlflowbridge.onnx.{OnnxFlavor, OnnxModel}
import mlflowbridge.serve.ScoringServer

import java.nio.file.{Files, Path, Paths}

import scala.jdk.CollectionConverters._

import org.apache.spark.ml.PipelineModel
import org.apache.spark.sql.{DataFrame, Dataset, Row, SparkSession}
import org.apache.spark.sql.types.StructType

/**
 * What Python's `log_model` returns (`mlflow.models.model.ModelInfo`): where the model is and
 * what it is. `signatureInputs` is the MLmodel's inputs JSON, null without a signature.
 */
final case class ModelInfo(
    modelUri: String,
    runId: String,
    artifactPath: String,
    flavors: java.util.List[String],
    signatureInputs: String,
    modelUuid: String,
    utcTimeCreated: String
)

/**
 * `mlflow.models`: the JVM's `mlflow.spark`. Logs a fitted PipelineModel as an MLflow model that
 * Python loads, and loads one (Python- or JVM-logged) from any model URI Python accepts
 * (runs:/, models:/name/version|stage|latest, models:/name@alias, models:/m-..., mlflow-artifacts:/, s3://,
 * file: and local paths).
 */
final class Models private[mlflowbridge] (mlflow: Mlflow) {

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

  /** Writes a model directory with `save` (dir, artifact path), logs it under the path and records it in the run. */
  private def logDir(runId: String, artifactPath: String, save: (Path, String) => Map[String, Any]): ModelInfo = {
    if (runId == null || runId.isEmpty) throw BridgeException.badInput("run id must not be empty")
    val path = Option(artifactPath).map(_.stripPrefix("/").stripSuffix("/")).getOrElse("")
    if (path.isEmpty || path.split("/").contains(".."))
      throw BridgeException.badInput(s"artifact path '$artifactPath' must be a non-empty relative path without '..'")
    mlflow.artifacts.runArtifactUri(runId) // fail on a bad run before any work
    val tmp = Files.createTempDirectory(Models.workRoot, "log-")
    try {
      val dir = tmp.resolve("model")
      val doc = save(dir, path)
      mlflow.artifacts.logArtifacts(runId, dir, path)
      recordLoggedModel(runId, doc)
      Models.info(s"runs:/$runId/$path", doc)
    } finally ArtifactStore.deleteTree(tmp)
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

  /** Loads a Spark ML model from a model URI; its signature then guides [[score]]. */
  def load(modelUri: String, spark: SparkSession): PipelineModel = Models.load(mlflow, modelUri, spark)

  /** Downloads a model's directory to `dst` (created if needed) and returns its local path. */
  def download(modelUri: String, dst: String): String = {
    val target = Paths.get(dst)
    Files.createDirectories(target)
    ModelUri.fetch(mlflow, modelUri, target).toString
  }

  /** The MLmodel of `modelUri`, as [[ModelInfo]]. */
  def info(modelUri: String): ModelInfo = {
    val dir = ModelUri.fetch(mlflow, modelUri, Files.createTempDirectory(Models.workRoot, "info-"))
    Models.info(modelUri, MlModelFile.read(dir, modelUri).doc)
  }

  /** Checks `df` against the model's signature (or its stages' inputs) and returns the inputs plus the model's outputs. */
  def score(model: PipelineModel, df: Dataset[Row]): DataFrame = Scoring.score(model, df, Models.signatureOf(model))

  /** Scores the file `input` (csv, parquet, json lines) into `output` (format from its extension); returns the row count. */
  def scoreFile(spark: SparkSession, modelUri: String, input: String, output: String): Long =
    Scoring.scoreFile(spark, mlflow, modelUri, input, output, null)

  /**
   * Serves `modelUri` with MLflow's scoring protocol (as `mlflow models serve`) on `host:port`
   * (0: a free port) until the handle is closed; loaded once, scored with `spark`.
   */
  def serve(modelUri: String, spark: SparkSession, host: String, port: Int): ScoringServer =
    ScoringServer.start(mlflow, modelUri, spark, host, port, ScoringServer.DefaultMaxBodyBytes)

  /** [[serve]] with the active Spark session, or a local one. */
  def serve(modelUri: String, host: String, port: Int): ScoringServer = {
    val spark = SparkSession.getActiveSession.orElse(SparkSession.getDefaultSession).getOrElse(cli.Main.localSpark("mlflow-bridge-serve"))
    serve(modelUri, spark, host, port)
  }

  /** [[serve]] refusing request bodies over `maxBodyBytes` (413). */
  def serve(modelUri: String, spark: SparkSession, host: String, port: Int, maxBodyBytes: Long): ScoringServer =
    ScoringServer.start(mlflow, modelUri, spark, host, port, maxBodyBytes)

  /** `POST runs/log-model` with MLflow's `Model.get_tags_dict()` as model_json. */
  private def recordLoggedModel(runId: String, doc: Map[String, Any]): Unit = {
    val tags = doc.filter { case (k, _) => Set("run_id", "utc_time_created", "artifact_path", "model_uuid", "flavors")(k) }
    mlflow.rest.expect(s"record the logged model in run '$runId'")(
      mlflow.rest.post("runs/log-model", Json.obj("run_id" -> runId, "model_json" -> Json.write(tags)))
    )
  }
}

private[mlflowbridge] object Models {

  /** [[Models.load]], remembering the signature for [[signatureOf]]. */
  def load(mlflow: Mlflow, uri: String, spark: SparkSession): PipelineModel = {
    val (model, signature) = loadWithSignature(mlflow, uri, spark)
    signature.foreach(s => signatures.synchronized(signatures.put(model, s)))
    model
  }

  /** The model plus its MLmodel signature inputs (None for legacy models or no signature). */
  def loadWithSignature(mlflow: Mlflow, uri: String, spark: SparkSession): (PipelineModel, Option[Seq[ColSpec]]) =
    sparkFrom(fetchDir(mlflow, uri), uri, spark)

  /** A model the CLI and the server take: an ONNX model (onnx flavor, no spark flavor) or a Spark one with its signature. */
  def loadAny(mlflow: Mlflow, uri: String, spark: SparkSession): Either[OnnxModel, (PipelineModel, Option[Seq[ColSpec]])] = {
    val dir = fetchDir(mlflow, uri)
    if (isOnnx(dir)) Left(onnxFrom(dir, uri)) else Right(sparkFrom(dir, uri, spark))
  }

  private def fetchDir(mlflow: Mlflow, uri: String): Path = {
    val dir = ModelUri.fetch(mlflow, uri, Files.createTempDirectory(workRoot, "model-"))
    if (!Files.isDirectory(dir)) throw BridgeException.badInput(s"model URI $uri is a file, not a model directory")
    dir
  }

  private def sparkFrom(dir: Path, uri: String, spark: SparkSession): (PipelineModel, Option[Seq[ColSpec]]) = {
    if (Files.isRegularFile(dir.resolve(MlModelFile.FileName))) {
      val mm = MlModelFile.read(dir, uri)
      val data = mm.sparkModelData
      val sparkDir = dir.resolve(data)
      if (!Files.isDirectory(sparkDir))
        throw BridgeException.badInput(s"model $uri is incomplete: its MLmodel names Spark model data '$data/', which is missing")
      CustomStages.addJars(spark, dir, mm)
      (PipelineRebuild.load(sparkDir, spark, uri), mm.inputs)
    } else {
      // Legacy layout (amesar/mlflow-examples): no MLmodel; the dir is the saved pipeline or holds sparkml/.
      val sparkDir =
        if (PipelineRebuild.savedClass(dir).isDefined) dir
        else if (Files.isDirectory(dir.resolve(SparkFlavor.ModelData))) dir.resolve(SparkFlavor.ModelData)
        else throw BridgeException.badInput(s"model $uri has no MLmodel file and no Spark model: '${SparkFlavor.ModelData}/' is missing")
      (PipelineRebuild.load(sparkDir, spark, uri), None)
    }
  }

  /** [[Models.loadOnnx]]: the onnx flavor's file, planned with the MLmodel's signature. */
  def loadOnnx(mlflow: Mlflow, uri: String): OnnxModel = onnxFrom(fetchDir(mlflow, uri), uri)

  private def onnxFrom(dir: Path, uri: String): OnnxModel = {
    val mm = MlModelFile.read(dir, uri)
    OnnxModel.plan(uri, Files.readAllBytes(OnnxFlavor.dataFile(mm, dir)), mm.inputs)
  }

  /** Whether the model at `dir` (a fetched model directory) is an ONNX one: an onnx flavor and no spark flavor. */
  private def isOnnx(dir: Path): Boolean =
    Files.isRegularFile(dir.resolve(MlModelFile.FileName)) && {
      val f = MlModelFile.read(dir, dir.toString).flavors
      f.contains("onnx") && !f.contains("spark")
    }

  def signatureOf(model: PipelineModel): Option[Seq[ColSpec]] = signatures.synchronized(Option(signatures.get(model)))

  /** The signature inputs of a model that [[load]] returned, as MLmodel's JSON string, or null (for the Python side). */
  def signatureInputsJson(model: PipelineModel): String = signatureOf(model).map(Signature.toJson).orNull

  def info(uri: String, doc: Map[String, Any]): ModelInfo = {
    def str(k: String): String = doc.get(k).map(v => if (v == null) null else v.toString).orNull
    val flavors = doc.get("flavors").collect { case m: Map[_, _] => m.keys.map(_.toString).toList.sorted }.getOrElse(Nil)
    val inputs = doc.get("signature").collect { case s: Map[_, _] => s.asInstanceOf[Map[String, Any]].get("inputs") }.flatten.map(_.toString).orNull
    ModelInfo(uri, str("run_id"), str("artifact_path"), flavors.asJava, inputs, str("model_uuid"), str("utc_time_created"))
  }

  // Signatures of loaded models, by identity (PipelineModel has no equals), dropped with the model.
  private val signatures = new java.util.WeakHashMap[PipelineModel, Seq[ColSpec]]()

  /** Downloads live here until the JVM exits: some stages (e.g. ALS) read their data lazily. */
  lazy val workRoot: Path = {
    val root = Files.createTempDirectory("mlflow-bridge-")
    made = Some(root)
    Runtime.getRuntime.addShutdownHook(new Thread(() => ArtifactStore.deleteTree(root)))
    root
  }
  @volatile private var made: Option[Path] = None

  /** What the shutdown hook does, for a process that leaves without running hooks. */
  def deleteWorkRoot(): Unit = made.foreach(ArtifactStore.deleteTree)
}
