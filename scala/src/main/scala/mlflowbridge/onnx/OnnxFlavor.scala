package mlflowbridge
package onnx

import mlflowbridge.model.{ColSpec, Flavor, MlModel, Signature, SparkFlavor}

import scala.collection.immutable.ListMap

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
  def save(bytes: Array[Byte], dir: Path, artifactPath: String, runId: String, inputExample: Dataset[Row], schema: StructType): MlModel = {
    Files.createDirectories(dir)
    Files.write(dir.resolve(DataFile), bytes)
    val plan = OnnxModel.plan("the ONNX model to log", bytes, Option(schema).orElse(Option(inputExample).map(_.schema)).map(Signature.fromSchema))
    val inputs = Option(schema)
      .orElse(Option(inputExample).map(_.schema))
      .map(s => Signature.fromSchema(StructType(s.fields.filter(f => plan.inputColumns.contains(f.name)))))
    val outputs = plan.outputSchema.fields.toSeq.map(f => Signature.mlflowType(f.name, f.dataType))
    val flavors = ListMap(
      "onnx" -> Flavor.of(
        "code" -> null,
        "data" -> DataFile,
        "onnx_version" -> Pins.onnx,
        "providers" -> Seq("CUDAExecutionProvider", "CPUExecutionProvider")
      ),
      "python_function" -> Flavor.of(
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

  /** The ONNX file a model directory's `onnx` flavor names; a clear error when it has none. `where` names the model. */
  def dataFile(mm: MlModel, dir: Path, where: String): Path = {
    val data = mm.flavors.get("onnx") match {
      case Some(f) => f.string("data").getOrElse(DataFile)
      case None =>
        val have = mm.flavorNames
        val how =
          if (mm.flavors.contains("sklearn")) "convert it first with Python: bridge.onnx.convert_sklearn(uri) logs its ONNX form and returns that URI"
          else "the bridge converts only scikit-learn models (sklearn flavor) to ONNX; log the model with mlflow.onnx.log_model"
        throw BridgeException.badInput(s"MLmodel of $where has no 'onnx' flavor (flavors: $have): $how")
    }
    val file = dir.resolve(data)
    if (!Files.isRegularFile(file))
      throw BridgeException.badInput(s"model $where is incomplete: its onnx flavor names '$data', which is missing")
    file
  }
}
