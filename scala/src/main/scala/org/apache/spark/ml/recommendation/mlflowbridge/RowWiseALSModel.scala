package org.apache.spark.ml.recommendation
package mlflowbridge

import java.util.{HashMap => JHashMap}

import org.apache.spark.ml.param.{Param, ParamMap}
import org.apache.spark.sql.{DataFrame, Dataset, Row}
import org.apache.spark.sql.functions.{col, udf}

/**
 * An [[ALSModel]] whose `transform` looks its factors up in this JVM instead of joining them:
 * the plan is a projection (and, for coldStartStrategy "drop", a filter), so the row scorer can
 * compile it. The same answers as `ALSModel.transform`: the same id checks (`checkIntegers`),
 * the same float dot product in the same order, NaN for an id without factors, the same columns.
 * The factors are read into memory once, so this is for models whose factors fit (see [[of]]).
 */
final class RowWiseALSModel private (als: ALSModel, users: JHashMap[Int, Array[Float]], items: JHashMap[Int, Array[Float]])
    extends ALSModel(als.uid, als.rank, als.userFactors, als.itemFactors) {
  // `als`'s values, set and default (a fitted model's defaults are its estimator's: userCol's is ALS's).
  als.params.map(_.asInstanceOf[Param[Any]]).foreach { p =>
    als.get(p).foreach(v => set(getParam(p.name), v))
    als.getDefault(p).foreach(v => setDefault(getParam(p.name).asInstanceOf[Param[Any]], v))
  }

  // ALSModel's own `predict`, over the factors in memory: a missing id is its left join's null.
  private val lookup = {
    val (u, i, r) = (users, items, rank)
    // Boxed ids, as the join's: Spark adds no null guard, so the column is not nullable, as ALS's is not.
    udf { (user: Integer, item: Integer) =>
      val a = u.get(user)
      val b = i.get(item)
      if (a != null && b != null) {
        var dot = 0.0f
        var k = 0
        while (k < r) { dot += a(k) * b(k); k += 1 }
        dot
      } else Float.NaN
    }
  }

  override def transform(dataset: Dataset[_]): DataFrame = {
    transformSchema(dataset.schema)
    val predictions = dataset
      .withColumns(Seq($(userCol), $(itemCol)), Seq(checkIntegers(dataset, $(userCol)), checkIntegers(dataset, $(itemCol))))
      .withColumn($(predictionCol), lookup(col($(userCol)), col($(itemCol))))
    if (getColdStartStrategy == "drop") predictions.na.drop("all", Seq($(predictionCol))) else predictions
  }

  override def copy(extra: ParamMap): RowWiseALSModel = new RowWiseALSModel(als.copy(extra), users, items)
}

object RowWiseALSModel {

  /** Factors (users and items together) read into memory at most: rank 10, about 400 MB. */
  val MaxFactors = 10000000

  /** `als` scoring from its factors in memory, or None when it has more than `maxFactors` of them. */
  def of(als: ALSModel, maxFactors: Int = MaxFactors): Option[RowWiseALSModel] =
    for {
      users <- factors(als.userFactors, maxFactors)
      items <- factors(als.itemFactors, maxFactors - users.size)
    } yield new RowWiseALSModel(als, users, items)

  // Counted first: a model over the limit costs a count, not its factors in this JVM's memory.
  private def factors(df: DataFrame, max: Int): Option[JHashMap[Int, Array[Float]]] =
    if (df.count() > max) None
    else {
      val rows = df.select("id", "features").collect()
      val map = new JHashMap[Int, Array[Float]](rows.length * 2)
      rows.foreach { case Row(id: Int, f: scala.collection.Seq[_]) => map.put(id, f.map(_.asInstanceOf[Float]).toArray) }
      Some(map)
    }
}
