package org.apache.spark.sql
package mlflowbridge

import org.apache.spark.sql.catalyst.CatalystTypeConverters
import org.apache.spark.sql.catalyst.InternalRow
import org.apache.spark.sql.catalyst.expressions.{
  Attribute,
  BasePredicate,
  Expression,
  Nondeterministic,
  Predicate,
  SubqueryExpression,
  UnsafeProjection
}
import org.apache.spark.sql.catalyst.plans.logical.{Filter, LogicalPlan, Project}
import org.apache.spark.sql.execution.LogicalRDD
import org.apache.spark.sql.types.StructType

/**
 * Plan once, evaluate many: a DataFrame built over a placeholder leaf (no rows; see [[placeholder]])
 * whose optimized plan is only Project and Filter over that leaf is compiled once into Spark's own
 * `UnsafeProjection`s and `Predicate`s, then evaluated on each row directly: the same expressions
 * `transform` runs, without analysis, optimisation or a job per call. A plan with any other
 * operator (a join, an aggregate, a cached relation) or a non-deterministic or subquery
 * expression is not row-wise: [[compile]] names the operator instead.
 */
object RowPlan {

  /**
   * A DataFrame of `schema` over an RDD leaf (unlike a LocalRelation, the optimizer cannot fold it
   * away) holding `sample`, if given: a stage that plans by its first row (VectorAssembler without
   * size metadata reads the vectors' lengths) reads it, once.
   */
  def placeholder(spark: SparkSession, schema: StructType, sample: Option[Row]): DataFrame =
    spark.createDataFrame(spark.sparkContext.parallelize(sample.toSeq, 1), schema)

  /** `df` (built on `leaf`, a [[placeholder]]) compiled, or why its plan is not row-wise. */
  def compile(leaf: DataFrame, df: DataFrame): Either[String, RowPlan] = {
    val rdd = leaf.queryExecution.analyzed.collectFirst { case r: LogicalRDD => r.rdd }
    val plan = df.queryExecution.optimizedPlan
    def steps(p: LogicalPlan): Either[String, List[Step]] = p match {
      case r: LogicalRDD if rdd.contains(r.rdd) => Right(Nil)
      case p: Project                           => checked(p).flatMap(_ => steps(p.child)).map(_ :+ Step(p.projectList, None, p.child.output))
      case f: Filter                            => checked(f).flatMap(_ => steps(f.child)).map(_ :+ Step(Nil, Some(f.condition), f.child.output))
      case other                                => Left(s"its plan has a ${other.nodeName} (only Project and Filter are evaluated row by row)")
    }
    steps(plan).map(s => new RowPlan(leaf.schema, df.schema, s))
  }

  /**
   * Expressions whose value depends on more than the row are refused: subqueries, and the stateful
   * ones (rand, monotonically_increasing_id: `Nondeterministic`). ML's UDFs marked non-deterministic
   * (VectorAssembler's, StringIndexer's: so the optimizer does not duplicate them) are row functions.
   */
  private def checked(p: LogicalPlan): Either[String, Unit] =
    p.expressions.flatMap(_.find(e => e.isInstanceOf[Nondeterministic] || e.isInstanceOf[SubqueryExpression])).headOption match {
      case Some(e: SubqueryExpression) => Left(s"its plan has a subquery (${e.prettyName})")
      case Some(e)                     => Left(s"its plan has a stateful expression (${e.prettyName})")
      case None                        => Right(())
    }

  /** One plan node: a projection, or a filter (`condition`), bound to its child's output. */
  private[mlflowbridge] final case class Step(projectList: Seq[Expression], condition: Option[Expression], input: Seq[Attribute])

  /**
   * One thread's compiled steps: a Row of the input schema in, a Row of the output schema out (or
   * None when a Filter drops it). Spark's converters turn rows into its internal form and back.
   */
  final class Evaluator private[mlflowbridge] (inputSchema: StructType, outputSchema: StructType, steps: List[Step]) {
    private val toInternal = CatalystTypeConverters.createToCatalystConverter(inputSchema)
    private val toRow = CatalystTypeConverters.createToScalaConverter(outputSchema)
    private val compiled: Array[InternalRow => InternalRow] = steps.map { s =>
      s.condition match {
        case Some(c) =>
          val p: BasePredicate = Predicate.create(c, s.input)
          p.initialize(0)
          (r: InternalRow) => if (p.eval(r)) r else null
        case None =>
          val proj = UnsafeProjection.create(s.projectList, s.input)
          proj.initialize(0)
          (r: InternalRow) => proj(r)
      }
    }.toArray

    /** The output row for `row`, or None when the plan filters it out. */
    def apply(row: Row): Option[Row] = {
      var r = toInternal(row).asInstanceOf[InternalRow]
      var i = 0
      while (r != null && i < compiled.length) { r = compiled(i)(r); i += 1 }
      Option(r).map(toRow(_).asInstanceOf[Row])
    }
  }
}

/** A compiled row-wise plan; [[evaluator]] gives each thread its own projections (they are not thread-safe). */
final class RowPlan private (val inputSchema: StructType, val outputSchema: StructType, steps: List[RowPlan.Step]) {
  private val local = ThreadLocal.withInitial[RowPlan.Evaluator](() => new RowPlan.Evaluator(inputSchema, outputSchema, steps))

  /** This thread's evaluator. */
  def evaluator: RowPlan.Evaluator = local.get()
}
