package mlflowbridge

import mlflowbridge.rest._

import org.mlflow.api.proto.Service.Experiment

/** `mlflow.experiments`: what Python's `set_experiment` and `MlflowClient` do that the stock client lacks. */
final class Experiments private[mlflowbridge] (mlflow: Mlflow) {
  private def rest = mlflow.rest

  /**
   * Python's `mlflow.set_experiment(name)`: the id of the active experiment called `name`, created
   * when missing. Safe when several processes race to create it (the loser reads the winner's id).
   * Over REST because the stock client retries every 4xx three times before it gives up.
   */
  def getOrCreate(name: String): String = {
    if (name == null || name.trim.isEmpty) throw BridgeException.badInput("experiment name must not be empty")
    idByName(name).getOrElse {
      val created = rest.post("experiments/create", Json.obj("name" -> name))
      if (created.ok) created.json.path("experiment_id").asText()
      else if (created.errorCode == "RESOURCE_ALREADY_EXISTS")
        idByName(name).getOrElse(throw BridgeException.notFound(s"experiment '$name' vanished while being created"))
      else rest.expect(s"create experiment '$name'")(created).path("experiment_id").asText()
    }
  }

  /** The experiment with this id (NOT_FOUND names it). */
  def get(experimentId: String): Experiment = {
    val r = rest.get("experiments/get", "experiment_id" -> experimentId)
    Protos.parse(rest.expect(s"experiment $experimentId")(r).path("experiment"), Experiment.newBuilder()).build()
  }

  /** Python's `delete_experiment_tag`; a missing experiment or tag is NOT_FOUND. */
  def deleteTag(experimentId: String, key: String): Unit =
    rest.expect(s"delete tag '$key' of experiment $experimentId")(
      rest.post("experiments/delete-experiment-tag", Json.obj("experiment_id" -> experimentId, "key" -> key))
    )

  /** The id of the active experiment `name`, None when there is none. A deleted one is an error, as in Python. */
  private def idByName(name: String): Option[String] = {
    val r = rest.get("experiments/get-by-name", "experiment_name" -> name)
    if (r.errorCode == "RESOURCE_DOES_NOT_EXIST") None
    else {
      val exp = rest.expect(s"get experiment '$name'")(r).path("experiment")
      if (exp.path("lifecycle_stage").asText() == "deleted")
        throw BridgeException.badInput(s"experiment '$name' (id ${exp.path("experiment_id").asText()}) is deleted; restore it or use another name")
      Some(exp.path("experiment_id").asText())
    }
  }
}
