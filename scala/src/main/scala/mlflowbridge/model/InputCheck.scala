package mlflowbridge
package model

import scala.jdk.CollectionConverters._
import scala.util.control.NonFatal

import org.apache.commons.lang3.exception.ExceptionUtils
import org.apache.spark.ml.{PipelineModel, Transformer}
import org.apache.spark.ml.param.Params
import org.apache.spark.sql.{Column, DataFrame, Dataset, Row}
import org.apache.spark.sql.functions.{col, isnan, lit, sum, when}
import org.apache.spark.sql.types.{DoubleType, FloatType, StructField, StructType}

/**
 * Checks scoring input by Spark's own rules, so a bad file fails with one sentence naming the
 * column and the stage instead of a stack trace. With an MLmodel signature, its columns and
 * types are checked first; then every stage's `transformSchema` must accept what reaches it.
 * Nulls and NaN are not refused here: stages have their own rules for them (`handleInvalid`,
 * Imputer); when a stage then fails at run time, [[explainFailure]] names it.
 */
private[mlflowbridge] object InputCheck {
  def check(model: PipelineModel, df: Dataset[Row], signature: Option[Seq[ColSpec]]): Unit = {
    checkSchema(model, df, signature)
    if (df.isEmpty) throw BridgeException.badInput("input has no rows")
  }

  /** [[check]] of the columns only: no Spark job (the row scorer checks an input schema so, once). */
  def checkSchema(model: PipelineModel, df: Dataset[Row], signature: Option[Seq[ColSpec]]): Unit = {
    val have = df.schema.fields.map(f => f.name -> f.dataType).toMap
    signature.foreach { specs =>
      val required = specs.filter(_.required).map(_.name).filter(_.nonEmpty)
      val missing = required.filterNot(have.contains)
      if (missing.nonEmpty)
        throw BridgeException
          .badInput(
            s"input is missing required column(s) ${quoted(missing)}; the model reads ${quoted(required)}, the input has ${quoted(df.columns.toSeq)}"
          )
          .withColumn(missing.head)
      val wrong = specs.filter(s => have.contains(s.name) && !Signature.accepts(s, have(s.name)))
      if (wrong.nonEmpty)
        throw BridgeException
          .badInput(
            "input column(s) have the wrong type: " + wrong
              .map { s =>
                s"'${s.name}' expected ${s.describe}, got ${Signature.mlflowTypeName(have(s.name))}"
              }
              .mkString("; ")
          )
          .withColumn(wrong.head.name)
    }

    PipelineColumns.misfit(model, Scoring.castSchema(df.schema, signature)).foreach { m =>
      val missing = m.missingColumns
      throw BridgeException
        .badInput(
          if (missing.nonEmpty)
            s"input is missing column(s) ${quoted(missing)} needed by ${m.describe}; the input has ${quoted(df.columns.toSeq)}"
          else s"input does not fit the model at ${m.describe}: ${firstLine(m.error)}"
        )
        .withColumn(missing.headOption.orNull)
    }
  }

  /** Java/Python-friendly [[check]]: the signature inputs as MLmodel's JSON string, or null. */
  def checkInput(model: PipelineModel, df: Dataset[Row], signatureInputsJson: String): Unit =
    check(model, df, Option(signatureInputsJson).flatMap(Signature.parse))

  /**
   * Turns a failure of scoring `input` into one sentence: runs the stages one by one to find the
   * first that fails, and names it, Spark's reason, and the nulls and NaN in the columns it reads.
   * Only called after scoring failed, so the extra passes cost nothing on the good path.
   */
  def explainFailure(model: PipelineModel, input: Dataset[Row], error: Throwable): BridgeException = {
    val all = PipelineColumns.stages(model)
    var current: DataFrame = input.toDF()
    all.indices.iterator
      .map { i =>
        val stage = all(i)
        try {
          val next = stage.transform(current)
          next.write.format("noop").mode("overwrite").save() // computes every column of every row
          current = next
          None
        } catch {
          case NonFatal(e) => Some(stageFailed(i, all.size, stage, e, invalidValues(current, stage)))
        }
      }
      .collectFirst { case Some(b) => b }
      // No stage fails on its own: not the input's fault (a write or a lost executor, say).
      .getOrElse(BridgeException.jvmError(s"scoring failed: ${firstLine(error)}", error))
  }

  /** Nulls and NaN of one input column of a stage. */
  final case class Invalid(column: String, nulls: Long, nans: Long)

  /**
   * Stage `index` of `count` failing on the input, in one sentence: the stage, Spark's reason, and
   * the nulls and NaN in the columns it reads (the row scorer finds the same without a Spark job).
   */
  def stageFailed(index: Int, count: Int, stage: Transformer, error: Throwable, invalid: Seq[Invalid]): BridgeException = {
    val parts = invalid.flatMap { v =>
      val what = Seq(v.nulls -> "null", v.nans -> "NaN").filter(_._1 > 0).map { case (k, w) => s"$k $w" }
      if (what.isEmpty) None else Some(s"input column '${v.column}' holds ${what.mkString(" and ")} value(s)")
    }
    val values = if (parts.isEmpty) "" else "; " + parts.mkString(", ") + " (set the stage's handleInvalid, or impute them first)"
    BridgeException.badInput(s"${PipelineColumns.describeStage(index, count, stage)} failed on the input: ${firstLine(error)}$values")
  }

  /** The input columns of `stage` in `schema` whose nulls and NaN are counted (NaN for floating point only). */
  def countedInputs(schema: StructType, stage: Params): Seq[StructField] =
    schema.fields.toSeq.filter(f => PipelineColumns.declaredInputs(stage).contains(f.name))

  def isFloating(f: StructField): Boolean = f.dataType == DoubleType || f.dataType == FloatType

  /** The nulls and NaN in the stage's input columns, counted by one Spark job. */
  private def invalidValues(df: DataFrame, stage: Params): Seq[Invalid] = {
    val fields = countedInputs(df.schema, stage)
    if (fields.isEmpty) return Nil
    val counts: Seq[Column] = fields.flatMap { f =>
      val c = col(PipelineColumns.quote(f.name))
      val nulls = sum(when(c.isNull, 1).otherwise(0))
      val nans = if (isFloating(f)) sum(when(isnan(c), 1).otherwise(0)) else lit(0)
      Seq(nulls, nans)
    }
    val row = df.agg(counts.head, counts.tail: _*).head()
    fields.zipWithIndex.map { case (f, i) =>
      Invalid(f.name, Option(row.get(2 * i)).fold(0L)(_.toString.toLong), Option(row.get(2 * i + 1)).fold(0L)(_.toString.toLong))
    }
  }

  /** The deepest cause's first line: Spark wraps a stage's own message in job and task errors. */
  def firstLine(e: Throwable): String = {
    val chain = ExceptionUtils.getThrowableList(e).asScala.toSeq
    val msg = chain.reverse.flatMap(t => Option(t.getMessage).map(_.trim)).find(_.nonEmpty).getOrElse(e.getClass.getName)
    msg.linesIterator.next()
  }

  private def quoted(cs: Seq[String]): String = cs.map(c => s"'$c'").mkString(", ")
}
