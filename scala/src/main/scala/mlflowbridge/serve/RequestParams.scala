package mlflowbridge
package serve

import scala.jdk.CollectionConverters._
import scala.util.Try

import com.fasterxml.jackson.databind.JsonNode

/**
 * A request's `params` against the model's params schema (MLmodel `signature.params`), as stock's
 * pyfunc checks them before `predict` (`mlflow.models.utils._enforce_params_schema`). A spark
 * model's `predict` takes no params, so valid ones change nothing; what matters is which requests
 * stock refuses: without a params schema, any `params` is ignored (stock logs a warning); with
 * one, a `params` that is not a dictionary, or a known param of the wrong type or shape, is 400
 * `INVALID_PARAMETER_VALUE`; unknown params are ignored.
 */
private[serve] final class RequestParams private (specs: Option[Seq[RequestParams.Spec]]) {
  def check(params: Option[JsonNode]): Unit = specs.foreach { schema =>
    params.filterNot(_.isNull).foreach { p =>
      if (!p.isObject) throw RequestParams.invalid(s"Parameters must be a dictionary. Got type '${RequestParams.pythonType(p)}'.")
      val bad = schema.flatMap(s => Option(p.get(s.name)).flatMap(v => s.problem(v).map(s.name -> _)))
      if (bad.nonEmpty) throw RequestParams.invalid(s"Invalid parameters found: ${bad.map { case (n, why) => s"'$n': $why" }.mkString("; ")}")
    }
  }
}

private[serve] object RequestParams {

  /** No params schema: any `params` is ignored. */
  val ignored = new RequestParams(None)

  /** From MLmodel's `signature.params` JSON text (None: the model has no params schema). */
  def of(paramsJson: Option[String]): RequestParams =
    new RequestParams(paramsJson.filter(_.trim.nonEmpty).map { text =>
      val node = rest.Json.mapper.readTree(text)
      if (node == null || !node.isArray) Seq.empty
      else
        node.elements().asScala.toSeq.map { s =>
          val shape = Option(s.get("shape")).filterNot(_.isNull)
          Spec(s.path("name").asText(), Option(s.get("type")).filter(_.isTextual).map(_.asText()), shape.isDefined)
        }
    })

  private def invalid(msg: String) = new RequestError(400, "INVALID_PARAMETER_VALUE", msg)

  private def pythonType(n: JsonNode): String =
    if (n.isArray) "list"
    else if (n.isTextual) "str"
    else if (n.isBoolean) "bool"
    else if (n.isIntegralNumber) "int"
    else if (n.isNumber) "float"
    else "dict"

  /** One param: its MLflow type (None: an object type, not checked here) and whether it is a 1-D list (`shape: [-1]`). */
  private final case class Spec(name: String, tpe: Option[String], list: Boolean) {
    def problem(v: JsonNode): Option[String] =
      if (list) {
        if (!v.isArray || v.elements().asScala.exists(e => e.isArray || e.isObject)) Some(s"must be a 1D list, got ${pythonType(v)}")
        else v.elements().asScala.flatMap(scalar).nextOption()
      } else scalar(v)

    /** `_enforce_param_datatype`: null passes; int widens to long, float and double; long to float and double. */
    private def scalar(v: JsonNode): Option[String] = {
      val ok = v.isNull || (tpe match {
        case None                           => true
        case Some("string")                 => v.isTextual
        case Some("boolean")                => v.isBoolean
        case Some("integer") | Some("long") => v.isIntegralNumber
        case Some("float") | Some("double") => v.isNumber
        case Some("datetime")               => v.isTextual && datetime(v.asText())
        case Some(_)                        => false // binary: JSON has no bytes
      })
      if (ok) None else Some(s"expected ${tpe.getOrElse("object")}, got ${pythonType(v)} ${v.toString.take(40)}")
    }
  }

  /** What `np.datetime64(text)` reads: an ISO date or date-time. */
  private def datetime(s: String): Boolean =
    Try(java.time.LocalDate.parse(s)).isSuccess || Try(java.time.LocalDateTime.parse(s)).isSuccess ||
      Try(java.time.OffsetDateTime.parse(s)).isSuccess
}
