package mlflowbridge.autolog

import java.nio.charset.StandardCharsets

import scala.io.Source

import org.apache.spark.ml.{Model, PipelineModel, Transformer}
import org.apache.spark.ml.classification.OneVsRestModel
import org.apache.spark.ml.tuning.{CrossValidatorModel, TrainValidationSplitModel}

/**
 * Python autolog's model allowlist (`log_model_allowlist.txt`, shipped as a resource copied from
 * the pinned mlflow; or the file the Spark conf `spark.mlflow.pysparkml.autolog.logModelAllowlistFile`
 * names, as in Python). Entries are pyspark class names, so a JVM class is looked up under the
 * name of its pyspark wrapper (`org.apache.spark.ml.X` as `pyspark.ml.X`); other classes under their own name.
 */
private[autolog] final class ModelAllowlist(entries: Set[String]) {

  /** `_should_log_model`: the class is listed (or matches a trailing `*`), and so is every nested model. */
  def allows(model: Transformer): Boolean = {
    val name = ModelAllowlist.pythonName(model.getClass.getName)
    val listed = entries(name) || entries.exists(e => e.endsWith("*") && name.startsWith(e.dropRight(1)))
    listed && (model match {
      case o: OneVsRestModel             => o.models.headOption.forall(allows)
      case p: PipelineModel              => p.stages.collect { case m: Model[_] => m }.forall(allows)
      case cv: CrossValidatorModel       => allows(cv.bestModel)
      case tv: TrainValidationSplitModel => allows(tv.bestModel)
      case other =>
        PyNames.stageParams(other).collect { case (_, m: Model[_]) => m }.forall(allows)
    })
  }

  /** The first class in `model` that the list leaves out (for the line that says why it was not logged). */
  def firstRefused(model: Transformer): String = {
    val nested: Seq[Transformer] = model match {
      case p: PipelineModel              => p.stages.toSeq.collect { case m: Model[_] => m }
      case o: OneVsRestModel             => o.models.headOption.toSeq
      case cv: CrossValidatorModel       => Seq(cv.bestModel)
      case tv: TrainValidationSplitModel => Seq(tv.bestModel)
      case _                             => Nil
    }
    nested.find(!allows(_)).map(firstRefused).getOrElse(ModelAllowlist.pythonName(model.getClass.getName))
  }
}

private[autolog] object ModelAllowlist {
  val ConfKey = "spark.mlflow.pysparkml.autolog.logModelAllowlistFile"

  def builtin: ModelAllowlist = {
    val in = getClass.getResourceAsStream("/mlflowbridge/autolog/log_model_allowlist.txt")
    try new ModelAllowlist(parse(Source.fromInputStream(in, StandardCharsets.UTF_8.name).getLines().toSeq))
    finally in.close()
  }

  /** The file `path` (a local path or file: URI) names; the built-in list when it cannot be read, with `warn` saying why (Python falls back the same way). */
  def fromConf(path: Option[String], warn: String => Unit): ModelAllowlist = path.filter(_.nonEmpty) match {
    case None => builtin
    case Some(p) =>
      try {
        val local = if (p.startsWith("file:")) java.nio.file.Paths.get(new java.net.URI(p)) else java.nio.file.Paths.get(p)
        new ModelAllowlist(parse(new String(java.nio.file.Files.readAllBytes(local), StandardCharsets.UTF_8).linesIterator.toSeq))
      } catch {
        case e: Exception =>
          warn(s"the model allowlist $ConfKey=$p cannot be read (${e.getClass.getSimpleName}: ${e.getMessage}); using MLflow's built-in list")
          builtin
      }
  }

  private def parse(lines: Seq[String]): Set[String] = lines.map(_.trim).filter(l => l.nonEmpty && !l.startsWith("#")).toSet

  /** pyspark's class name for a Spark ML class (`org.apache.spark.ml.PipelineModel` is `pyspark.ml.pipeline.PipelineModel`). */
  def pythonName(jvmClass: String): String = jvmClass match {
    case "org.apache.spark.ml.Pipeline" | "org.apache.spark.ml.PipelineModel" => "pyspark.ml.pipeline." + jvmClass.split('.').last
    case c if c.startsWith("org.apache.spark.ml.")                            => "pyspark.ml." + c.stripPrefix("org.apache.spark.ml.")
    case c                                                                    => c
  }
}
