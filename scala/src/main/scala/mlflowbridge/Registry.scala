package mlflowbridge

import scala.jdk.CollectionConverters._

import com.fasterxml.jackson.databind.JsonNode
import org.mlflow.tracking.MlflowClient

/** A registered model version. `aliases` and the other fields are Java types for py4j/JPype. */
final case class ModelVersionInfo(name: String, version: String, source: String, runId: String, status: String, aliases: java.util.List[String])

/** A registered model: its aliases (alias -> version) and latest version numbers. */
final case class RegisteredModelInfo(name: String, aliases: java.util.Map[String, String], latestVersions: java.util.List[String])

/**
 * Model-registry calls the stock Java client lacks (aliases, search, deletes, creation that waits
 * for READY), over [[MlflowRest]]. Every failure is a [[BridgeException]] naming the model.
 */
object Registry {

  /** Creates `name`; with `ifNotExists` an existing model is fine (racing creators included). */
  def createRegisteredModel(client: MlflowClient, name: String, ifNotExists: Boolean): Unit = {
    requireName(name)
    val rest = MlflowRest.of(client)
    val r = rest.post("registered-models/create", Json.obj("name" -> name))
    if (r.ok || (ifNotExists && r.errorCode == "RESOURCE_ALREADY_EXISTS")) ()
    else if (r.errorCode == "RESOURCE_ALREADY_EXISTS") throw badInputFrom(s"registered model '$name' already exists", r)
    else rest.expect(s"create registered model '$name'")(r)
  }

  def createRegisteredModel(client: MlflowClient, name: String): Unit = createRegisteredModel(client, name, ifNotExists = false)

  /**
   * A new version of `name` from `source` (runs:/..., models:/m-..., mlflow-artifacts:/...), once
   * it is READY. `runId` may be null (for runs:/ sources the server wants it; for models:/m-...
   * it takes the logged model's run).
   */
  def createModelVersion(client: MlflowClient, name: String, source: String, runId: String, timeoutSeconds: Int): ModelVersionInfo = {
    requireName(name)
    if (source == null || source.isEmpty) throw BridgeException.badInput("model version source must not be empty")
    val rest = MlflowRest.of(client)
    val body = Json.obj("name" -> name, "source" -> source)
    // The server accepts a runs:/ source only with its run_id; take it from the URI when not given.
    val run = Option(runId)
      .filter(_.nonEmpty)
      .orElse(Some(source).filter(_.startsWith("runs:/")).map(_.stripPrefix("runs:/").takeWhile(_ != '/')).filter(_.nonEmpty))
    run.foreach(r => body.put("run_id", r))
    // MLflow 3: a logged-model source (models:/<model_id>) must come with that model_id.
    val loggedModelId = source.stripPrefix("models:/") match {
      case id if source.startsWith("models:/") && id.nonEmpty && !id.contains("/") && !id.contains("@") => Some(id)
      case _                                                                                            => None
    }
    loggedModelId.foreach(id => body.put("model_id", id))
    var mv = versionInfo(
      rest.expect(s"create a version of registered model '$name' from $source")(rest.post("model-versions/create", body)).path("model_version")
    )
    val deadline = System.nanoTime() + timeoutSeconds * 1000000000L
    while (mv.status == "PENDING_REGISTRATION") {
      if (System.nanoTime() > deadline)
        throw new BridgeException(
          "REST_ERROR",
          s"version ${mv.version} of registered model '$name' is still PENDING_REGISTRATION after ${timeoutSeconds}s"
        )
      Thread.sleep(200)
      mv = getModelVersion(client, name, mv.version)
    }
    if (mv.status != "READY") throw new BridgeException("REST_ERROR", s"version ${mv.version} of registered model '$name' ended ${mv.status}")
    mv
  }

  def createModelVersion(client: MlflowClient, name: String, source: String, runId: String): ModelVersionInfo =
    createModelVersion(client, name, source, runId, 300)

  def getModelVersion(client: MlflowClient, name: String, version: String): ModelVersionInfo = {
    val rest = MlflowRest.of(client)
    val r = rest.get("model-versions/get", "name" -> name, "version" -> version)
    if (!r.ok && isMissing(r)) { requireModel(rest, name); throw BridgeException.notFound(s"registered model '$name' has no version $version") }
    versionInfo(rest.expect(s"get version $version of registered model '$name'")(r).path("model_version"))
  }

  def setAlias(client: MlflowClient, name: String, alias: String, version: String): Unit = {
    val rest = MlflowRest.of(client)
    val r = rest.post("registered-models/alias", Json.obj("name" -> name, "alias" -> alias, "version" -> version))
    if (!r.ok && isMissing(r)) {
      requireModel(rest, name); throw BridgeException.notFound(s"registered model '$name' has no version $version to alias '$alias'")
    }
    rest.expect(s"set alias '$alias' of registered model '$name'")(r)
  }

  def getModelVersionByAlias(client: MlflowClient, name: String, alias: String): ModelVersionInfo = {
    val rest = MlflowRest.of(client)
    val r = rest.get("registered-models/alias", "name" -> name, "alias" -> alias)
    // A missing alias is INVALID_PARAMETER_VALUE "Registered model alias <a> not found." (MLflow 3.17).
    val aliasMissing = r.errorCode == "INVALID_PARAMETER_VALUE" && r.message.contains("alias") && r.message.contains("not found")
    if (!r.ok && (isMissing(r) || aliasMissing)) {
      requireModel(rest, name); throw BridgeException.notFound(s"registered model '$name' has no alias '$alias'")
    }
    versionInfo(rest.expect(s"get alias '$alias' of registered model '$name'")(r).path("model_version"))
  }

  /** DELETE with a JSON body (the stock client cannot send DELETE at all). Deleting an absent alias is a no-op, as on the server. */
  def deleteAlias(client: MlflowClient, name: String, alias: String): Unit = {
    val rest = MlflowRest.of(client)
    val r = rest.delete("registered-models/alias", Json.obj("name" -> name, "alias" -> alias))
    if (!r.ok && isMissing(r)) { requireModel(rest, name); throw BridgeException.notFound(s"registered model '$name' has no alias '$alias'") }
    rest.expect(s"delete alias '$alias' of registered model '$name'")(r)
  }

  /** The newest version, or the newest in `stage` (null = any stage); for `models:/name/latest`. */
  def latestVersion(client: MlflowClient, name: String, stage: String): String = {
    val rest = MlflowRest.of(client)
    val body = Json.obj("name" -> name)
    if (stage != null) body.putArray("stages").add(stage)
    val r = rest.post("registered-models/get-latest-versions", body)
    if (!r.ok && isMissing(r)) throw BridgeException.notFound(s"registered model '$name' does not exist")
    val versions = rest
      .expect(s"latest versions of registered model '$name'")(r)
      .path("model_versions")
      .elements()
      .asScala
      .map(_.path("version").asText().toLong)
      .toSeq
    if (versions.isEmpty) throw BridgeException.notFound(s"registered model '$name' has no versions" + Option(stage).fold("")(s => s" in stage '$s'"))
    versions.max.toString
  }

  /** Where a version's files are (`model-versions/get-download-uri`): storage location, else source. */
  def downloadUri(client: MlflowClient, name: String, version: String): String = {
    val rest = MlflowRest.of(client)
    val r = rest.get("model-versions/get-download-uri", "name" -> name, "version" -> version)
    if (!r.ok && isMissing(r)) { requireModel(rest, name); throw BridgeException.notFound(s"registered model '$name' has no version $version") }
    rest.expect(s"download URI of version $version of registered model '$name'")(r).path("artifact_uri").asText()
  }

  /** Every registered model matching `filter` (MLflow search syntax, e.g. "name LIKE 'wine%'"; null = all). */
  def searchRegisteredModels(client: MlflowClient, filter: String): java.util.List[RegisteredModelInfo] = {
    val rest = MlflowRest.of(client)
    val out = List.newBuilder[RegisteredModelInfo]
    var token: Option[String] = None
    do {
      val q = Seq("max_results" -> "1000") ++ Option(filter).filter(_.nonEmpty).map("filter" -> _) ++ token.map("page_token" -> _)
      val page = rest.expect(s"search registered models${Option(filter).fold("")(f => s" ($f)")}")(rest.get("registered-models/search", q: _*))
      page.path("registered_models").elements().asScala.foreach { m =>
        val aliases = new java.util.LinkedHashMap[String, String]()
        m.path("aliases").elements().asScala.foreach(a => aliases.put(a.path("alias").asText(), a.path("version").asText()))
        val latest = m.path("latest_versions").elements().asScala.map(_.path("version").asText()).toList.asJava
        out += RegisteredModelInfo(m.path("name").asText(), aliases, latest)
      }
      token = Option(page.path("next_page_token").asText(null)).filter(_.nonEmpty)
    } while (token.isDefined)
    out.result().asJava
  }

  def deleteRegisteredModel(client: MlflowClient, name: String): Unit = {
    val rest = MlflowRest.of(client)
    val r = rest.delete("registered-models/delete", Json.obj("name" -> name))
    if (!r.ok && isMissing(r)) throw BridgeException.notFound(s"registered model '$name' does not exist")
    rest.expect(s"delete registered model '$name'")(r)
  }

  // ------------------------------------------------------------------ registry writes the stock client lacks

  /** Python's `delete_model_version` (DELETE model-versions/delete, JSON body). */
  def deleteModelVersion(client: MlflowClient, name: String, version: String): Unit =
    versionCall(client, name, version, s"delete version $version of registered model '$name'")(
      _.delete("model-versions/delete", Json.obj("name" -> name, "version" -> version))
    )

  /**
   * Python's `transition_model_version_stage` (deprecated there since 2.9, still served): `stage` is
   * None, Staging, Production or Archived (any case); returns the version's stage afterwards.
   */
  def transitionModelVersionStage(client: MlflowClient, name: String, version: String, stage: String, archiveExisting: Boolean): String = {
    val canonical = Stages
      .find(_.equalsIgnoreCase(Option(stage).getOrElse("")))
      .getOrElse(throw BridgeException.badInput(s"model version stage '$stage' is not one of ${Stages.mkString(", ")}"))
    versionCall(client, name, version, s"move version $version of registered model '$name' to stage $canonical")(
      _.post(
        "model-versions/transition-stage",
        Json.obj("name" -> name, "version" -> version, "stage" -> canonical, "archive_existing_versions" -> archiveExisting)
      )
    )
      .path("model_version")
      .path("current_stage")
      .asText(canonical)
  }

  /**
   * Python's `get_model_version_stages(name, version)`: the stages a version can move to. A fixed
   * list, as in Python (the server has no endpoint and Python does not look the version up either).
   */
  def getModelVersionStages(client: MlflowClient, name: String, version: String): java.util.List[String] = Stages.asJava

  /** Python's `update_model_version(name, version, description)` (PATCH model-versions/update). */
  def updateModelVersion(client: MlflowClient, name: String, version: String, description: String): Unit =
    versionCall(client, name, version, s"update version $version of registered model '$name'")(
      _.patch("model-versions/update", Json.obj("name" -> name, "version" -> version, "description" -> Option(description).getOrElse("")))
    )

  /** Python's `set_model_version_tag` (POST model-versions/set-tag). */
  def setModelVersionTag(client: MlflowClient, name: String, version: String, key: String, value: String): Unit =
    versionCall(client, name, version, s"set tag '$key' of version $version of registered model '$name'")(
      _.post("model-versions/set-tag", Json.obj("name" -> name, "version" -> version, "key" -> key, "value" -> value))
    )

  /** Python's `delete_model_version_tag` (DELETE model-versions/delete-tag); an absent tag is a no-op, as on the server. */
  def deleteModelVersionTag(client: MlflowClient, name: String, version: String, key: String): Unit =
    versionCall(client, name, version, s"delete tag '$key' of version $version of registered model '$name'")(
      _.delete("model-versions/delete-tag", Json.obj("name" -> name, "version" -> version, "key" -> key))
    )

  /** Python's `rename_registered_model` (POST registered-models/rename); an existing `newName` is BAD_INPUT. */
  def renameRegisteredModel(client: MlflowClient, name: String, newName: String): Unit = {
    requireName(newName)
    modelCall(
      client,
      name,
      s"rename registered model '$name' to '$newName'",
      exists = r => badInputFrom(s"cannot rename registered model '$name': '$newName' already exists", r)
    )(_.post("registered-models/rename", Json.obj("name" -> name, "new_name" -> newName)))
  }

  /** Python's `update_registered_model(name, description)` (PATCH registered-models/update). */
  def updateRegisteredModel(client: MlflowClient, name: String, description: String): Unit =
    modelCall(client, name, s"update registered model '$name'")(
      _.patch("registered-models/update", Json.obj("name" -> name, "description" -> Option(description).getOrElse("")))
    )

  /** Python's `set_registered_model_tag` (POST registered-models/set-tag). */
  def setRegisteredModelTag(client: MlflowClient, name: String, key: String, value: String): Unit =
    modelCall(client, name, s"set tag '$key' of registered model '$name'")(
      _.post("registered-models/set-tag", Json.obj("name" -> name, "key" -> key, "value" -> value))
    )

  /** Python's `delete_registered_model_tag` (DELETE registered-models/delete-tag); an absent tag is a no-op, as on the server. */
  def deleteRegisteredModelTag(client: MlflowClient, name: String, key: String): Unit =
    modelCall(client, name, s"delete tag '$key' of registered model '$name'")(
      _.delete("registered-models/delete-tag", Json.obj("name" -> name, "key" -> key))
    )

  private val Stages = Seq("None", "Staging", "Production", "Archived")

  /** A call on one version: missing model or version is NOT_FOUND naming which; a refused value is BAD_INPUT. */
  private def versionCall(client: MlflowClient, name: String, version: String, what: String)(call: MlflowRest => RestResponse): JsonNode = {
    requireName(name)
    val rest = MlflowRest.of(client)
    val r = call(rest)
    if (!r.ok && isMissing(r)) { requireModel(rest, name); throw BridgeException.notFound(s"registered model '$name' has no version $version") }
    if (r.errorCode == "INVALID_PARAMETER_VALUE") throw badInputFrom(what, r)
    rest.expect(what)(r)
  }

  /** A call on one registered model: missing is NOT_FOUND; a refused value or a name clash (`exists`) is BAD_INPUT. */
  private def modelCall(client: MlflowClient, name: String, what: String, exists: RestResponse => BridgeException = null)(
      call: MlflowRest => RestResponse
  ): Unit = {
    requireName(name)
    val rest = MlflowRest.of(client)
    val r = call(rest)
    if (!r.ok && isMissing(r)) throw BridgeException.notFound(s"registered model '$name' does not exist")
    if (r.errorCode == "RESOURCE_ALREADY_EXISTS") throw Option(exists).fold(badInputFrom(what, r))(_(r))
    if (r.errorCode == "INVALID_PARAMETER_VALUE") throw badInputFrom(what, r)
    rest.expect(what)(r)
  }

  private def versionInfo(mv: JsonNode): ModelVersionInfo = ModelVersionInfo(
    mv.path("name").asText(),
    mv.path("version").asText(),
    mv.path("source").asText(""),
    mv.path("run_id").asText(""),
    mv.path("status").asText(""),
    mv.path("aliases").elements().asScala.map(_.asText()).toList.asJava
  )

  private def isMissing(r: RestResponse): Boolean = r.errorCode == "RESOURCE_DOES_NOT_EXIST" || r.status == 404

  private def requireModel(rest: MlflowRest, name: String): Unit = {
    val r = rest.get("registered-models/get", "name" -> name)
    if (!r.ok && isMissing(r)) throw BridgeException.notFound(s"registered model '$name' does not exist")
  }

  private def requireName(name: String): Unit =
    if (name == null || name.trim.isEmpty) throw BridgeException.badInput("registered model name must not be empty")

  private def badInputFrom(msg: String, r: RestResponse) = BridgeException.badInput(s"$msg: ${r.message}")
}
