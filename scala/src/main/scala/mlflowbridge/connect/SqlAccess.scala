// In Spark's package: a DataFrame from a plan the Connect planner made needs `Dataset.ofRows`,
// which is private[sql] (Delta's Connect plugin lives in org.apache.spark.sql for the same reason).
package org.apache.spark.sql.mlflowbridge

import org.apache.spark.sql.DataFrame
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan
import org.apache.spark.sql.classic

object SqlAccess {
  def frame(session: classic.SparkSession, plan: LogicalPlan): DataFrame = classic.Dataset.ofRows(session, plan)
}
