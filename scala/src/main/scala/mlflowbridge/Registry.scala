package mlflowbridge

import mlflowbridge.rest._

import scala.jdk.CollectionConverters._

import com.fasterxml.jackson.databind.JsonNode
import org.mlflow.api.proto.ModelRegistry.{ModelVersion, ModelVersionStatus, RegisteredModel}

/**
 * `mlflow.registry`: the model registry as Python's `MlflowClient` has it (registration that
 * waits for READY, aliases, search, updates, deletes), where the stock client has reads only.
 * Results are the stock client's protobuf types. Every failure is a [[BridgeException]] naming
 * the model.
 */
final class Registry private[mlflowbridge] (mlflow: Mlflow) {
  private def rest = mlflow.rest

  /**
   * Python's `mlflow.register_model(model_uri, name)`: a new READY version of `name` (created when
   * missing) from `modelUri` (runs:/..., models:/m-..., mlflow-artifacts:/...).
   */
  def register(modelUri: String, name: String): ModelVersion = {
    createRegisteredModel(name, true)
    createModelVersion(name, modelUri, null)
  }

  /** As above, then points `alias` at the new version. */
  def register(modelUri: String, name: String, alias: String): ModelVersion = {
    val mv = register(modelUri, name)
    setAlias(name, alias, mv.getVersion)
    getModelVersion(name, mv.getVersion)
  }

  /** Creates `name`; with `ifNotExists` an existing model is fine (racing creators included). */
  def createRegisteredModel(name: String, ifNotExists: Boolean): Unit = {
    requireName(name)
    val r = rest.post("registered-models/create", Json.obj("name" -> name))
    if (r.ok || (ifNotExists && r.errorCode == "RESOURCE_ALREADY_EXISTS")) ()
    else if (r.errorCode == "RESOURCE_ALREADY_EXISTS") throw badInputFrom(s"registered model '$name' already exists", r)
    else rest.expect(s"create registered model '$name'")(r)
  }

  def createRegisteredModel(name: String): Unit = createRegisteredModel(name, false)

  /**
   * A new version of `name` from `source` (runs:/..., models:/m-..., mlflow-artifacts:/...), once
   * it is READY. `runId` may be null (for runs:/ sources the server wants it; for models:/m-...
   * it takes the logged model's run).
   */
  def createModelVersion(name: String, source: String, runId: String, timeoutSeconds: Int): ModelVersion = {
    requireName(name)
    if (source == null || source.isEmpty) throw BridgeException.badInput("model version source must not be empty")
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
    createVersion(body, s"create a version of registered model '$name' from $source", timeoutSeconds)
  }

  def createModelVersion(name: String, source: String, runId: String): ModelVersion =
    createModelVersion(name, source, runId, 300)

  /**
   * Python's `copy_model_version(src_model_uri, dst_name)`: a new READY version of `dstName`
   * (created when missing) whose source is `models:/<name>/<version>` of the source, carrying its
   * run, run link, description, tags and logged model. `srcModelUri` is models:/name/version,
   * models:/name@alias, models:/name/latest or models:/name/stage.
   */
  def copyModelVersion(srcModelUri: String, dstName: String): ModelVersion = {
    requireName(dstName)
    if (srcModelUri == null || !srcModelUri.startsWith("models:/") || !srcModelUri.stripPrefix("models:/").matches("[^/]+(@[^/]+|/[^/]+)"))
      throw BridgeException.badInput(
        s"copy_model_version copies a registered model version, and '$srcModelUri' is none: use models:/<name>/<version>, models:/<name>@<alias>, models:/<name>/latest or models:/<name>/<stage>"
      )
    val (name, version) = versionOf(srcModelUri.stripPrefix("models:/").split("/").toSeq, srcModelUri)
    // Raw JSON: the 2.17.2 ModelVersion proto has no model_id, which the copy must keep.
    val src = rest
      .expect(s"get version $version of registered model '$name'")(rest.get("model-versions/get", "name" -> name, "version" -> version))
      .path("model_version")
    createRegisteredModel(dstName, true)
    val body = Json.obj("name" -> dstName, "source" -> s"models:/$name/$version")
    Seq("run_id", "run_link", "description", "model_id").foreach(k => Option(src.path(k).asText(null)).filter(_.nonEmpty).foreach(body.put(k, _)))
    if (src.path("tags").isArray) body.set[JsonNode]("tags", src.get("tags"))
    createVersion(body, s"copy $srcModelUri to registered model '$dstName'", 300)
  }

  /**
   * The (name, version) that `parts` (`name@alias` or `name`, `version|latest|stage`) of the
   * models:/ URI `uri` name, resolved on the server.
   */
  private[mlflowbridge] def versionOf(parts: Seq[String], uri: String): (String, String) = {
    val bad = BridgeException.badInput(
      s"model URI $uri is not a proper models:/ URI: use models:/<name>/<version>, models:/<name>@<alias>, models:/<name>/latest or models:/<model_id>"
    )
    parts match {
      case Seq(na) if na.contains("@") =>
        val Array(n, alias) = na.split("@", 2)
        if (n.isEmpty || alias.isEmpty) throw bad
        (n, getModelVersionByAlias(n, alias).getVersion)
      case Seq(n, v) if n.nonEmpty && v.nonEmpty && v.forall(_.isDigit) => (n, getModelVersion(n, v).getVersion)
      case Seq(n, l) if n.nonEmpty && l.equalsIgnoreCase("latest")      => (n, latestVersion(n, null))
      case Seq(n, stage) if n.nonEmpty && stage.nonEmpty                => (n, latestVersion(n, stage))
      case _                                                            => throw bad
    }
  }

  /** POST model-versions/create with `body`, then wait until the version is READY. */
  private def createVersion(body: com.fasterxml.jackson.databind.node.ObjectNode, what: String, timeoutSeconds: Int): ModelVersion = {
    val name = body.path("name").asText()
    var mv = versionInfo(rest.expect(what)(rest.post("model-versions/create", body)).path("model_version"))
    val deadline = System.nanoTime() + timeoutSeconds * 1000000000L
    while (mv.getStatus == ModelVersionStatus.PENDING_REGISTRATION) {
      if (System.nanoTime() > deadline)
        throw BridgeException.restError(
          s"version ${mv.getVersion} of registered model '$name' is still PENDING_REGISTRATION after ${timeoutSeconds}s"
        )
      Thread.sleep(200)
      mv = getModelVersion(name, mv.getVersion)
    }
    if (mv.getStatus != ModelVersionStatus.READY)
      throw BridgeException.restError(s"version ${mv.getVersion} of registered model '$name' ended ${mv.getStatus}")
    mv
  }

  def getModelVersion(name: String, version: String): ModelVersion = {
    val r = rest.get("model-versions/get", "name" -> name, "version" -> version)
    if (!r.ok && isMissing(r)) { requireModel(rest, name); throw BridgeException.notFound(s"registered model '$name' has no version $version") }
    versionInfo(rest.expect(s"get version $version of registered model '$name'")(r).path("model_version"))
  }

  /** The registered model with its aliases and latest versions. */
  def getRegisteredModel(name: String): RegisteredModel = {
    requireName(name)
    val r = rest.get("registered-models/get", "name" -> name)
    if (!r.ok && isMissing(r)) throw BridgeException.notFound(s"registered model '$name' does not exist")
    Protos.parse(rest.expect(s"get registered model '$name'")(r).path("registered_model"), RegisteredModel.newBuilder()).build()
  }

  def setAlias(name: String, alias: String, version: String): Unit = {
    val r = rest.post("registered-models/alias", Json.obj("name" -> name, "alias" -> alias, "version" -> version))
    if (!r.ok && isMissing(r)) {
      requireModel(rest, name); throw BridgeException.notFound(s"registered model '$name' has no version $version to alias '$alias'")
    }
    rest.expect(s"set alias '$alias' of registered model '$name'")(r)
  }

  def getModelVersionByAlias(name: String, alias: String): ModelVersion = {
    val r = rest.get("registered-models/alias", "name" -> name, "alias" -> alias)
    // A missing alias is INVALID_PARAMETER_VALUE "Registered model alias <a> not found." (MLflow 3.17).
    val aliasMissing = r.errorCode == "INVALID_PARAMETER_VALUE" && r.message.contains("alias") && r.message.contains("not found")
    if (!r.ok && (isMissing(r) || aliasMissing)) {
      requireModel(rest, name); throw BridgeException.notFound(s"registered model '$name' has no alias '$alias'")
    }
    versionInfo(rest.expect(s"get alias '$alias' of registered model '$name'")(r).path("model_version"))
  }

  /** DELETE with a JSON body (the stock client cannot send DELETE at all). Deleting an absent alias is a no-op, as on the server. */
  def deleteAlias(name: String, alias: String): Unit = {
    val r = rest.delete("registered-models/alias", Json.obj("name" -> name, "alias" -> alias))
    if (!r.ok && isMissing(r)) { requireModel(rest, name); throw BridgeException.notFound(s"registered model '$name' has no alias '$alias'") }
    rest.expect(s"delete alias '$alias' of registered model '$name'")(r)
  }

  /** The newest version, or the newest in `stage` (null = any stage); for `models:/name/latest`. */
  private[mlflowbridge] def latestVersion(name: String, stage: String): String = {
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
  def downloadUri(name: String, version: String): String = {
    val r = rest.get("model-versions/get-download-uri", "name" -> name, "version" -> version)
    if (!r.ok && isMissing(r)) { requireModel(rest, name); throw BridgeException.notFound(s"registered model '$name' has no version $version") }
    rest.expect(s"download URI of version $version of registered model '$name'")(r).path("artifact_uri").asText()
  }

  /** Every registered model matching `filter` (MLflow search syntax, e.g. "name LIKE 'wine%'"; null = all). */
  def searchRegisteredModels(filter: String): java.util.List[RegisteredModel] = {
    val out = List.newBuilder[RegisteredModel]
    var token: Option[String] = None
    do {
      val q = Seq("max_results" -> "1000") ++ Option(filter).filter(_.nonEmpty).map("filter" -> _) ++ token.map("page_token" -> _)
      val page = rest.expect(s"search registered models${Option(filter).fold("")(f => s" ($f)")}")(rest.get("registered-models/search", q: _*))
      page.path("registered_models").elements().asScala.foreach(m => out += Protos.parse(m, RegisteredModel.newBuilder()).build())
      token = Option(page.path("next_page_token").asText(null)).filter(_.nonEmpty)
    } while (token.isDefined)
    out.result().asJava
  }

  def deleteRegisteredModel(name: String): Unit = {
    val r = rest.delete("registered-models/delete", Json.obj("name" -> name))
    if (!r.ok && isMissing(r)) throw BridgeException.notFound(s"registered model '$name' does not exist")
    rest.expect(s"delete registered model '$name'")(r)
  }

  // ------------------------------------------------------------------ registry writes the stock client lacks

  /** Python's `delete_model_version` (DELETE model-versions/delete, JSON body). */
  def deleteModelVersion(name: String, version: String): Unit =
    versionCall(name, version, s"delete version $version of registered model '$name'")(
      _.delete("model-versions/delete", Json.obj("name" -> name, "version" -> version))
    )

  /**
   * Python's `transition_model_version_stage` (deprecated there since 2.9, still served): `stage` is
   * None, Staging, Production or Archived (any case); returns the version afterwards.
   */
  def transitionModelVersionStage(name: String, version: String, stage: String, archiveExisting: Boolean): ModelVersion = {
    val canonical = Stages
      .find(_.equalsIgnoreCase(Option(stage).getOrElse("")))
      .getOrElse(throw BridgeException.badInput(s"model version stage '$stage' is not one of ${Stages.mkString(", ")}"))
    versionInfo(
      versionCall(name, version, s"move version $version of registered model '$name' to stage $canonical")(
        _.post(
          "model-versions/transition-stage",
          Json.obj("name" -> name, "version" -> version, "stage" -> canonical, "archive_existing_versions" -> archiveExisting)
        )
      ).path("model_version")
    )
  }

  /**
   * Python's `get_model_version_stages(name, version)`: the stages a version can move to. A fixed
   * list, as in Python (the server has no endpoint and Python does not look the version up either).
   */
  def getModelVersionStages(name: String, version: String): java.util.List[String] = Stages.asJava

  /** Python's `update_model_version(name, version, description)` (PATCH model-versions/update). */
  def updateModelVersion(name: String, version: String, description: String): Unit =
    versionCall(name, version, s"update version $version of registered model '$name'")(
      _.patch("model-versions/update", Json.obj("name" -> name, "version" -> version, "description" -> Option(description).getOrElse("")))
    )

  /** Python's `set_model_version_tag` (POST model-versions/set-tag). */
  def setModelVersionTag(name: String, version: String, key: String, value: String): Unit =
    versionCall(name, version, s"set tag '$key' of version $version of registered model '$name'")(
      _.post("model-versions/set-tag", Json.obj("name" -> name, "version" -> version, "key" -> key, "value" -> value))
    )

  /** Python's `delete_model_version_tag` (DELETE model-versions/delete-tag); an absent tag is a no-op, as on the server. */
  def deleteModelVersionTag(name: String, version: String, key: String): Unit =
    versionCall(name, version, s"delete tag '$key' of version $version of registered model '$name'")(
      _.delete("model-versions/delete-tag", Json.obj("name" -> name, "version" -> version, "key" -> key))
    )

  /** Python's `rename_registered_model` (POST registered-models/rename); an existing `newName` is BAD_INPUT. */
  def renameRegisteredModel(name: String, newName: String): Unit = {
    requireName(newName)
    modelCall(
      name,
      s"rename registered model '$name' to '$newName'",
      exists = r => badInputFrom(s"cannot rename registered model '$name': '$newName' already exists", r)
    )(_.post("registered-models/rename", Json.obj("name" -> name, "new_name" -> newName)))
  }

  /** Python's `update_registered_model(name, description)` (PATCH registered-models/update). */
  def updateRegisteredModel(name: String, description: String): Unit =
    modelCall(name, s"update registered model '$name'")(
      _.patch("registered-models/update", Json.obj("name" -> name, "description" -> Option(description).getOrElse("")))
    )

  /** Python's `set_registered_model_tag` (POST registered-models/set-tag). */
  def setRegisteredModelTag(name: String, key: String, value: String): Unit =
    modelCall(name, s"set tag '$key' of registered model '$name'")(
      _.post("registered-models/set-tag", Json.obj("name" -> name, "key" -> key, "value" -> value))
    )

  /** Python's `delete_registered_model_tag` (DELETE registered-models/delete-tag); an absent tag is a no-op, as on the server. */
  def deleteRegisteredModelTag(name: String, key: String): Unit =
    modelCall(name, s"delete tag '$key' of registered model '$name'")(
      _.delete("registered-models/delete-tag", Json.obj("name" -> name, "key" -> key))
    )

  private val Stages = Seq("None", "Staging", "Production", "Archived")

  /** A call on one version: missing model or version is NOT_FOUND naming which; a refused value is BAD_INPUT. */
  private def versionCall(name: String, version: String, what: String)(call: MlflowRest => RestResponse): JsonNode = {
    requireName(name)
    val r = call(rest)
    if (!r.ok && isMissing(r)) { requireModel(rest, name); throw BridgeException.notFound(s"registered model '$name' has no version $version") }
    if (r.errorCode == "INVALID_PARAMETER_VALUE") throw badInputFrom(what, r)
    rest.expect(what)(r)
  }

  /** A call on one registered model: missing is NOT_FOUND; a refused value or a name clash (`exists`) is BAD_INPUT. */
  private def modelCall(name: String, what: String, exists: RestResponse => BridgeException = null)(
      call: MlflowRest => RestResponse
  ): Unit = {
    requireName(name)
    val r = call(rest)
    if (!r.ok && isMissing(r)) throw BridgeException.notFound(s"registered model '$name' does not exist")
    if (r.errorCode == "RESOURCE_ALREADY_EXISTS") throw Option(exists).fold(badInputFrom(what, r))(_(r))
    if (r.errorCode == "INVALID_PARAMETER_VALUE") throw badInputFrom(what, r)
    rest.expect(what)(r)
  }

  private def versionInfo(mv: JsonNode): ModelVersion = Protos.parse(mv, ModelVersion.newBuilder()).build()

  private def isMissing(r: RestResponse): Boolean = r.errorCode == "RESOURCE_DOES_NOT_EXIST" || r.status == 404

  private def requireModel(rest: MlflowRest, name: String): Unit = {
    val r = rest.get("registered-models/get", "name" -> name)
    if (!r.ok && isMissing(r)) throw BridgeException.notFound(s"registered model '$name' does not exist")
  }

  private def requireName(name: String): Unit =
    if (name == null || name.trim.isEmpty) throw BridgeException.badInput("registered model name must not be empty")

  private def badInputFrom(msg: String, r: RestResponse) = BridgeException.badInput(s"$msg: ${r.message}")
}
