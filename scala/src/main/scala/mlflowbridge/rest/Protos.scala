package mlflowbridge
package rest

import com.fasterxml.jackson.databind.JsonNode
import org.mlflow_project.google.protobuf.Message
import org.mlflow_project.google.protobuf.util.JsonFormat

/** REST JSON <-> the stock client's protobuf types, with the JsonFormat its jar ships shaded. */
private[mlflowbridge] object Protos {
  // The 3.x server sends fields the 2.17 protos do not know (model_id, deployment_job_state, ...).
  private val parser = JsonFormat.parser().ignoringUnknownFields()
  private val printer = JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace()

  def parse[B <: Message.Builder](json: JsonNode, builder: B): B = { parser.merge(json.toString, builder); builder }
  def json(message: Message): String = printer.print(message)
}
