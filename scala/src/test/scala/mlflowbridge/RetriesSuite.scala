package mlflowbridge

import mlflowbridge.rest._

import java.net.InetSocketAddress
import java.nio.charset.StandardCharsets.UTF_8
import java.util.concurrent.ConcurrentLinkedQueue

import scala.jdk.CollectionConverters._

import com.sun.net.httpserver.HttpServer
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite

/**
 * Retries as Python's client does them, against a fake server on loopback that answers from a
 * script: transient answers (429, 5xx) are retried with backoff, 4xx never, and a request that
 * creates something is repeated only when the server cannot have acted on it (429).
 */
class RetriesSuite extends AnyFunSuite with BeforeAndAfterAll {
  private val script = new ConcurrentLinkedQueue[Int]() // statuses to answer, then 200
  private val seen = new ConcurrentLinkedQueue[String]()

  private lazy val server: HttpServer = {
    val s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0)
    s.createContext(
      "/",
      ex => {
        seen.add(s"${ex.getRequestMethod} ${ex.getRequestURI.getPath}")
        val status = Option(script.poll()).map(_.intValue).getOrElse(200)
        val body = (if (status == 200) """{"experiment": {"experiment_id": "7", "lifecycle_stage": "active"}, "run": {"info": {"run_id": "r1"}}}"""
                    else s"""{"error_code": "TEMPORARILY_UNAVAILABLE", "message": "status $status"}""").getBytes(UTF_8)
        ex.sendResponseHeaders(status, body.length.toLong)
        ex.getResponseBody.write(body)
        ex.close()
      }
    )
    s.start()
    s
  }
  private val fast =
    Map("MLFLOW_HTTP_REQUEST_MAX_RETRIES" -> "3", "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR" -> "0.01", "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER" -> "0")
  private lazy val mlflow = Mlflow.forUri(s"http://127.0.0.1:${server.getAddress.getPort}", fast.asJava)

  override def afterAll(): Unit = server.stop(0)

  private def answer(statuses: Int*): Unit = { script.clear(); seen.clear(); statuses.foreach(s => script.add(s)) }

  test("429 and 5xx are retried until the server answers") {
    answer(503, 429, 502)
    assert(mlflow.experiments.getOrCreate("x") == "7")
    assert(seen.asScala.toSeq == Seq.fill(4)("GET /api/2.0/mlflow/experiments/get-by-name"))
  }

  test("4xx are not retried (the stock client retries them three times)") {
    answer(403)
    val e = intercept[BridgeException](mlflow.experiments.getOrCreate("x"))
    assert(e.getMessage.contains("HTTP 403") && seen.size == 1, e.getMessage)
  }

  test("a retry budget runs out with the server's last answer") {
    answer(500, 500, 500, 500, 500)
    val e = intercept[BridgeException](mlflow.experiments.get("7"))
    assert(e.getMessage.contains("HTTP 500") && seen.size == 4, e.getMessage) // the first try and 3 retries
  }

  test("a request that creates a run is not repeated after a 5xx, only after a 429") {
    answer(503)
    intercept[BridgeException](mlflow.runs.start("7", "once"))
    assert(seen.asScala.toSeq == Seq("POST /api/2.0/mlflow/runs/create"))
    answer(429)
    assert(mlflow.runs.start("7", "after-429").runId == "r1")
    assert(seen.asScala.toSeq == Seq.fill(2)("POST /api/2.0/mlflow/runs/create"))
  }

  test("a server that is down is retried, then UNREACHABLE naming it and the retries") {
    val dead = Mlflow.forUri("http://127.0.0.1:9", fast.asJava)
    val e = intercept[BridgeException](dead.experiments.getOrCreate("x"))
    assert(
      e.kind == BridgeException.Kind.UNREACHABLE && e.getMessage.startsWith(
        "tracking server http://127.0.0.1:9 is unreachable (ConnectException, after 3 retries)"
      )
    )
  }

  test("the retry settings are read like Python's, and a bad one is named") {
    assert(Retries.fromEnv(java.util.Map.of()) == Retries(7, 2.0, 1.0))
    val e = intercept[BridgeException](Retries.fromEnv(java.util.Map.of("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "many")))
    assert(e.kind == BridgeException.Kind.BAD_INPUT && e.getMessage == "MLFLOW_HTTP_REQUEST_MAX_RETRIES must be a number >= 0, not 'many'")
    val r = Retries(7, 2.0, 0.0)
    assert((1 to 8).map(r.delaySeconds) == Seq(0.0, 4.0, 8.0, 16.0, 32.0, 64.0, 120.0, 120.0))
  }
}
