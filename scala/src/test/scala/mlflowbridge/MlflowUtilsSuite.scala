package mlflowbridge

import java.util.concurrent.{Callable, Executors, TimeUnit}

import scala.jdk.CollectionConverters._

import org.scalatest.funsuite.AnyFunSuite

class MlflowUtilsSuite extends AnyFunSuite {
  private val client = TestServer.client()

  test("getOrCreateExperimentId creates once and then returns the same id") {
    val name = TestServer.uniqueName("utils")
    val id = MlflowUtils.getOrCreateExperimentId(client, name)
    assert(client.getExperiment(id).getName == name)
    assert(MlflowUtils.getOrCreateExperimentId(client, name) == id)
  }

  test("racing creators all get the one experiment") {
    val name = TestServer.uniqueName("race")
    val pool = Executors.newFixedThreadPool(8)
    try {
      val calls = (1 to 8).map(_ => new Callable[String] { def call(): String = MlflowUtils.getOrCreateExperimentId(TestServer.client(), name) })
      val ids = pool.invokeAll(calls.asJava, 2, TimeUnit.MINUTES).asScala.map(_.get()).toSet
      assert(ids.size == 1)
      val found = client.searchExperiments(s"name = '$name'").getItems.asScala
      assert(found.map(_.getExperimentId).toSet == ids)
    } finally pool.shutdownNow()
  }

  test("an existing name costs one round trip, not the stock client's three retries of a 400") {
    val name = TestServer.uniqueName("retries")
    MlflowUtils.getOrCreateExperimentId(client, name)
    val t0 = System.nanoTime()
    val stock = intercept[org.mlflow.tracking.MlflowHttpException](client.createExperiment(name))
    val stockMs = (System.nanoTime() - t0) / 1e6
    val t1 = System.nanoTime()
    MlflowUtils.getOrCreateExperimentId(client, name)
    val oursMs = (System.nanoTime() - t1) / 1e6
    assert(stock.getStatusCode == 400)
    assert(stock.getBodyMessage.contains("RESOURCE_ALREADY_EXISTS"))
    info(f"stock createExperiment(existing) failed after $stockMs%.1f ms; getOrCreateExperimentId answered in $oursMs%.1f ms")
  }

  test("a deleted experiment is an error that names it") {
    val name = TestServer.uniqueName("deleted")
    val id = MlflowUtils.getOrCreateExperimentId(client, name)
    client.deleteExperiment(id)
    val e = intercept[BridgeException](MlflowUtils.getOrCreateExperimentId(client, name))
    assert(e.kind == "BAD_INPUT")
    assert(e.getMessage.contains(s"experiment '$name' (id $id) is deleted"))
  }

  test("an empty name is refused") {
    val e = intercept[BridgeException](MlflowUtils.getOrCreateExperimentId(client, " "))
    assert(e.getMessage == "experiment name must not be empty")
  }

  test("clientFromEnv reads the credential variables the stock client ignores for http URIs") {
    val token = MlflowRest.of(MlflowUtils.clientFromEnv(Map("MLFLOW_TRACKING_URI" -> "https://example.invalid/", "MLFLOW_TRACKING_TOKEN" -> "tok"))).creds
    assert(token.getHost == "https://example.invalid" && token.getToken == "tok" && !token.shouldIgnoreTlsVerification)
    val basic = MlflowRest.of(MlflowUtils.clientFromEnv(Map(
      "MLFLOW_TRACKING_URI" -> "https://example.invalid",
      "MLFLOW_TRACKING_USERNAME" -> "ann", "MLFLOW_TRACKING_PASSWORD" -> "pw",
      "MLFLOW_TRACKING_INSECURE_TLS" -> "true"))).creds
    assert(basic.getUsername == "ann" && basic.getPassword == "pw" && basic.shouldIgnoreTlsVerification)
    // The stock constructor drops them (the gap this helper closes).
    val stock = MlflowRest.of(new org.mlflow.tracking.MlflowClient("https://example.invalid")).creds
    assert(stock.getToken == null && stock.getUsername == null)
  }

  test("clientFromEnv without MLFLOW_TRACKING_URI says what to set") {
    val e = intercept[BridgeException](MlflowUtils.clientFromEnv(Map.empty[String, String]))
    assert(e.getMessage.startsWith("MLFLOW_TRACKING_URI is not set"))
  }

  test("an unreachable server is an UNREACHABLE error naming it") {
    val dead = MlflowUtils.clientFor("http://127.0.0.1:9")
    val e = intercept[BridgeException](MlflowUtils.getOrCreateExperimentId(dead, "x"))
    assert(e.kind == "UNREACHABLE")
    assert(e.getMessage.contains("http://127.0.0.1:9"))
  }
}
