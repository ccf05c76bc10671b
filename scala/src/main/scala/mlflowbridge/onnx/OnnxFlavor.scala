package mlflowbridge
package onnx

import mlflowbridge.model.{ColSpec, MlModel, Signature, SparkFlavor}

import java.nio.file.{Files, Path}

import org.apache.spark.sql.{Dataset, Row}
import org.apache.spark.sql.types.StructType

/**
 * The `onnx` flavor as `mlflow.onnx.save_model` (MLflow 3.17.2) writes it, with `python_function`
 * (loader `mlflow.onnx`), so stock `mlflow.onnx.load_model` and `mlflow.pyfunc.load_model` read
 * a model made on the JVM. requirements.txt pins the onnx and onnxruntime the bridge is built with.
 */
private[mlflowbridge] object OnnxFlavor {
  val DataFile = "model.onnx"

  /** Writes `dir` (new) with the ONNX bytes, and returns the MLmodel document. */
  def save(bytes: Array[Byte], dir: Path, artifactPath: String, runId: String, inputExample: Dataset[Row], schema: StructType): Map[String, Any] = {
    Files.createDirectories(dir)
    Files.write(dir.resolve(DataFile), bytes)
    val plan = OnnxModel.plan("the ONNX model to log", bytes, Option(schema).orElse(Option(inputExample).map(_.schema)).map(Signature.fromSchema))
    val inputs = Option(schema)
      .orElse(Option(inputExample).map(_.schema))
      .map(s => Signature.fromSchema(StructType(s.fields.filter(f => plan.inputColumns.contains(f.name)))))
    val outputs = plan.outputSchema.fields.toSeq.map(f => Signature.mlflowType(f.name, f.dataType))
    val flavors = Map(
      "onnx" -> Map(
        "code" -> null,
        "data" -> DataFile,
        "onnx_version" -> Pins.onnx,
        "providers" -> Seq("CUDAExecutionProvider", "CPUExecutionProvider")
      ),
      "python_function" -> Map(
        "data" -> DataFile,
        "env" -> Map("conda" -> "conda.yaml", "virtualenv" -> "python_env.yaml"),
        "loader_module" -> "mlflow.onnx",
        "python_version" -> Pins.pythonVersion
      )
    )
    val signature = inputs.map(i => (i, Some(outputs): Option[Seq[ColSpec]]))
    SparkFlavor.finish(
      dir,
      artifactPath,
      runId,
      flavors,
      inputExample,
      signature,
      Seq(s"mlflow==${Pins.mlflowPython}", s"onnx==${Pins.onnx}", s"onnxruntime==${Pins.onnxRuntime}")
    )
  }

  /** The ONNX file a model directory's `onnx` flavor names; a clear error when it has none. */
  def dataFile(mm: MlModel, dir: Path): Path = {
    val flavors = mm.flavors
    val data = flavors.get("onnx") match {
      case Some(f: Map[_, _]) => f.asInstanceOf[Map[String, Any]].get("data").collect { case s: String if s.nonEmpty => s }.getOrElse(DataFile)
      case Some(null)         => DataFile
      case _ =>
        val have = if (flavors.isEmpty) "none" else flavors.keys.toSeq.sorted.mkString(", ")
        val how =
          if (flavors.contains("sklearn")) "convert it first with Python: bridge.onnx.convert_sklearn(uri) logs its ONNX form and returns that URI"
          else "the bridge converts only scikit-learn models (sklearn flavor) to ONNX; log the model with mlflow.onnx.log_model"
        throw BridgeException.badInput(s"MLmodel of ${mm.where} has no 'onnx' flavor (flavors: $have): $how")
    }
    val file = dir.resolve(data)
    if (!Files.isRegularFile(file))
      throw BridgeException.badInput(s"model ${mm.where} is incomplete: its onnx flavor names '$data', which is missing")
    file
  }
}
