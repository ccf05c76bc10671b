package mlflowbridge

import java.nio.file.{Files, Path, Paths}

import org.apache.spark.ml.PipelineModel
import org.apache.spark.sql.{Dataset, Row, SparkSession}
import org.apache.spark.sql.types.StructType
import org.mlflow.tracking.MlflowClient

/**
 * The JVM's `mlflow.spark`: log a fitted PipelineModel as an MLflow model that Python loads,
 * and load one (Python- or JVM-logged) from any model URI. Java-friendly signatures throughout
 * (String, SparkSession, Dataset[Row], StructType; nullable where documented) for py4j/JPype.
 */
object SparkModels {

  /** Loads a Spark ML model from a model URI (see [[ModelUri]]); `client` may be null for local paths. */
  def load(client: MlflowClient, uri: String)(spark: SparkSession): PipelineModel = {
    val (model, signature) = loadWithSignature(client, uri, spark)
    signature.foreach(s => signatures.synchronized(signatures.put(model, s)))
    model
  }

  /** Java/Python-friendly [[load]]. */
  def loadModel(client: MlflowClient, uri: String, spark: SparkSession): PipelineModel = load(client, uri)(spark)

  /** The model plus its MLmodel signature inputs (None for legacy models or no signature). */
  def loadWithSignature(client: MlflowClient, uri: String, spark: SparkSession): (PipelineModel, Option[Seq[ColSpec]]) = {
    val dir = ModelUri.fetch(client, uri, Files.createTempDirectory(workRoot, "model-"))
    if (!Files.isDirectory(dir)) throw BridgeException.badInput(s"model URI $uri is a file, not a model directory")
    val mlmodel = dir.resolve(MlModelFile.FileName)
    if (Files.isRegularFile(mlmodel)) {
      val mm = MlModelFile.read(dir, uri)
      val data = mm.sparkModelData
      val sig = mm.inputs
      val sparkDir = dir.resolve(data)
      if (!Files.isDirectory(sparkDir))
        throw BridgeException.badInput(s"model $uri is incomplete: its MLmodel names Spark model data '$data/', which is missing")
      (PipelineRebuild.load(sparkDir, spark, uri), sig)
    } else {
      // Legacy layout (amesar/mlflow-examples): no MLmodel; the dir is the saved pipeline or holds sparkml/.
      val sparkDir =
        if (PipelineRebuild.savedClass(dir).isDefined) dir
        else if (Files.isDirectory(dir.resolve(SparkFlavor.ModelData))) dir.resolve(SparkFlavor.ModelData)
        else throw BridgeException.badInput(s"model $uri has no MLmodel file and no Spark model: '${SparkFlavor.ModelData}/' is missing")
      (PipelineRebuild.load(sparkDir, spark, uri), None)
    }
  }

  /** Downloads a model's directory to `dst` (created if needed) and returns its local path. */
  def download(client: MlflowClient, uri: String, dst: String): String = {
    val target = Paths.get(dst)
    Files.createDirectories(target)
    ModelUri.fetch(client, uri, target).toString
  }

  /**
   * Logs `model` into run `runId` under `artifactPath` as Python's `mlflow.spark.log_model` does
   * (files, then `runs/log-model`, which records `mlflow.log-model.history`) and returns
   * `runs:/<runId>/<artifactPath>`. `inputExample` (a few rows) and `trainingSchema` (the
   * columns the model is fed; only those the pipeline reads go into the signature) may be null.
   */
  def logModel(
      client: MlflowClient,
      runId: String,
      model: PipelineModel,
      artifactPath: String,
      inputExample: Dataset[Row],
      trainingSchema: StructType
  ): String = {
    if (runId == null || runId.isEmpty) throw BridgeException.badInput("run id must not be empty")
    if (model == null) throw BridgeException.badInput("model must not be null")
    val path = Option(artifactPath).map(_.stripPrefix("/").stripSuffix("/")).getOrElse("")
    if (path.isEmpty || path.split("/").contains(".."))
      throw BridgeException.badInput(s"artifact path '$artifactPath' must be a non-empty relative path without '..'")
    val store = new ArtifactStore(client)
    store.runArtifactUri(runId) // fail on a bad run before any Spark work
    val tmp = Files.createTempDirectory(workRoot, "log-")
    try {
      val dir = tmp.resolve("model")
      val doc = SparkFlavor.save(model, dir, path, runId, inputExample, trainingSchema)
      store.logArtifacts(runId, dir, path)
      recordLoggedModel(client, runId, doc)
    } finally ArtifactStore.deleteTree(tmp)
    s"runs:/$runId/$path"
  }

  /** [[InputCheck]] with the signature of a model that [[load]] returned, else the stages' input columns. */
  def checkInput(model: PipelineModel, df: Dataset[Row]): Unit =
    InputCheck.check(model, df, signatureOf(model))

  def signatureOf(model: PipelineModel): Option[Seq[ColSpec]] = signatures.synchronized(Option(signatures.get(model)))

  /** Java/Python-friendly [[signatureOf]]: the signature inputs as MLmodel's JSON string, or null. */
  def signatureInputsJson(model: PipelineModel): String = signatureOf(model).map(Signature.toJson).orNull

  /** `POST runs/log-model` with MLflow's `Model.get_tags_dict()` as model_json. */
  private def recordLoggedModel(client: MlflowClient, runId: String, doc: Map[String, Any]): Unit = {
    val tags = doc.filter { case (k, _) => Set("run_id", "utc_time_created", "artifact_path", "model_uuid", "flavors")(k) }
    val rest = MlflowRest.of(client)
    rest.expect(s"record the logged model in run '$runId'")(
      rest.post("runs/log-model", Json.obj("run_id" -> runId, "model_json" -> PyJson.dumps(tags)))
    )
  }

  // Signatures of loaded models, by identity (PipelineModel has no equals), dropped with the model.
  private val signatures = new java.util.WeakHashMap[PipelineModel, Seq[ColSpec]]()

  /** Downloads live here until the JVM exits: some stages (e.g. ALS) read their data lazily. */
  private lazy val workRoot: Path = {
    val root = Files.createTempDirectory("mlflow-bridge-")
    Runtime.getRuntime.addShutdownHook(new Thread(() => ArtifactStore.deleteTree(root)))
    root
  }
}
