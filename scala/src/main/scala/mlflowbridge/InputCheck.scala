package mlflowbridge

import org.apache.spark.ml.PipelineModel
import org.apache.spark.sql.{Column, Dataset, Row}
import org.apache.spark.sql.functions.{col, count, lit, sum, when}

/**
 * Checks scoring input before Spark sees it, so that a bad file fails with a sentence naming the
 * column instead of a stack trace from inside a stage (or, for nulls, a silent NaN prediction or
 * a failure on an executor). Uses the MLmodel signature when the model has one, else the columns
 * the pipeline's stages read.
 */
object InputCheck {
  def check(model: PipelineModel, df: Dataset[Row], signature: Option[Seq[ColSpec]]): Unit = {
    val have = df.schema.fields.map(f => f.name -> f.dataType).toMap
    val specs = signature.getOrElse(PipelineColumns.inputs(model).map(c => ColSpec(c, "")))
    val required = specs.filter(_.required).map(_.name).filter(_.nonEmpty)

    val missing = required.filterNot(have.contains)
    if (missing.nonEmpty)
      throw BridgeException.badInput(
        s"input is missing required column(s) ${quoted(missing)}; the model reads ${quoted(required)}, the input has ${quoted(df.columns.toSeq)}")

    val wrong = signature.toSeq.flatten.filter(s => have.contains(s.name) && !Signature.accepts(s, have(s.name)))
    if (wrong.nonEmpty)
      throw BridgeException.badInput("input column(s) have the wrong type: " + wrong.map { s =>
        s"'${s.name}' expected ${s.describe}, got ${Signature.mlflowTypeName(have(s.name))}"
      }.mkString("; "))

    // Catches what the signature cannot say (or there is none): Spark's own schema checks.
    try model.transformSchema(Scoring.castToSignature(df, signature).schema)
    catch { case e: IllegalArgumentException => throw BridgeException.badInput(s"input does not fit the model: ${e.getMessage}") }

    // One pass: the row count and every required column's null count.
    val aggs: Seq[Column] = count(lit(1)) +: required.map(c => sum(when(col(quote(c)).isNull, 1).otherwise(0)))
    val row = df.agg(aggs.head, aggs.tail: _*).head()
    val rows = row.getLong(0)
    if (rows == 0) throw BridgeException.badInput("input has no rows")
    val nulls = required.zipWithIndex.map { case (c, i) => c -> Option(row.get(i + 1)).map(_.toString.toLong).getOrElse(0L) }.filter(_._2 > 0)
    if (nulls.nonEmpty)
      throw BridgeException.badInput(
        nulls.map { case (c, n) => s"column '$c' has $n null value(s)" }.mkString("; ") + s" in $rows rows; the model needs a value in every row of its input columns")
  }

  private def quoted(cs: Seq[String]): String = cs.map(c => s"'$c'").mkString(", ")
  private def quote(c: String): String = s"`${c.replace("`", "``")}`"
}
