package mlflowbridge

import mlflowbridge.model.{ColSpec, Signature}
import mlflowbridge.onnx.OnnxModel

import org.apache.spark.ml.PipelineModel

/** A model loaded from a model URI with what scoring it needs: a Spark pipeline and its signature, or an ONNX model. */
sealed trait LoadedModel {
  def uri: String

  /** MLmodel's `signature.params` JSON text (None: no params schema); the scoring server checks a request's `params` by it. */
  private[mlflowbridge] def paramsJson: Option[String]
}

/**
 * A Spark ML model and its MLmodel signature inputs (none for the legacy layout or a model logged
 * without one): `Models.score` checks a DataFrame against them.
 */
final class LoadedPipeline private[mlflowbridge] (
    val uri: String,
    val model: PipelineModel,
    private[mlflowbridge] val signature: Option[Seq[ColSpec]],
    private[mlflowbridge] val paramsJson: Option[String] = None
) extends LoadedModel {

  /** The signature inputs as MLmodel's JSON string, or null. */
  def signatureInputsJson: String = signature.map(Signature.toJson).orNull
}

/** A model with the onnx flavor (and no spark flavor). */
final class LoadedOnnx private[mlflowbridge] (val uri: String, val model: OnnxModel, private[mlflowbridge] val paramsJson: Option[String] = None)
    extends LoadedModel
