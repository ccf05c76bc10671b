package mlflowbridge.connect

import java.util.Optional

import org.apache.spark.connect.proto
import org.apache.spark.sql.catalyst.InternalRow
import org.apache.spark.sql.catalyst.expressions.AttributeReference
import org.apache.spark.sql.catalyst.plans.logical.{LocalRelation, LogicalPlan}
import org.apache.spark.sql.connect.planner.SparkConnectPlanner
import org.apache.spark.sql.connect.plugin.RelationPlugin
import org.apache.spark.sql.mlflowbridge.SqlAccess
import org.apache.spark.sql.types.StringType
import org.apache.spark.unsafe.types.UTF8String

/**
 * The bridge on a Spark Connect server, for Python clients that have no JVM: enable it with
 * `--conf spark.connect.extensions.relation.classes=mlflowbridge.connect.MlflowRelationPlugin`
 * (`mlflow-bridge connect-server` does). A client's call (see [[Wire]]) runs here, where the
 * model files are, and answers with a one-row, one-column (`result`, JSON) relation.
 */
final class MlflowRelationPlugin extends RelationPlugin {
  override def transform(raw: Array[Byte], planner: SparkConnectPlanner): Optional[LogicalPlan] =
    Wire.parse(raw) match {
      case None => Optional.empty()
      case Some(call) =>
        val session = planner.session
        val frames = call.relations.map(bytes => () => SqlAccess.frame(session, planner.transformRelation(proto.Relation.parseFrom(bytes))))
        Optional.of(MlflowRelationPlugin.result(Calls.answer(call.json, session, frames)))
    }
}

object MlflowRelationPlugin {
  def result(json: String): LogicalPlan =
    LocalRelation(Seq(AttributeReference("result", StringType, nullable = false)()), Seq(InternalRow(UTF8String.fromString(json))))
}
