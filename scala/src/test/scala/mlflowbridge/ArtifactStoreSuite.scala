package mlflowbridge

import mlflowbridge.store.ArtifactUris

import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path}

import scala.jdk.CollectionConverters._

import org.scalatest.funsuite.AnyFunSuite

/** Native (no Python) artifact upload, list and download against the proxied artifact store. */
class ArtifactStoreSuite extends AnyFunSuite {
  private val mlflow = TestServer.mlflow
  private val client = mlflow.client
  private val store = mlflow.artifacts
  private lazy val runId = client.createRun(mlflow.experiments.getOrCreate(TestServer.uniqueName("artifacts"))).getRunId

  private def tree(root: Path): Map[String, String] = {
    val w = Files.walk(root)
    try w.iterator().asScala.filter(Files.isRegularFile(_)).map(p => root.relativize(p).toString -> TestServer.sha256(p)).toMap
    finally w.close()
  }

  private lazy val src: Path = {
    val d = TestSpark.tempDir("src")
    Files.write(d.resolve("model.bin"), Array.tabulate[Byte](70000)(i => (i * 31).toByte))
    Files.createDirectories(d.resolve("nested/déjà vu"))
    Files.write(d.resolve("nested/déjà vu/ünïcode 1%+&.txt"), "grüße".getBytes(UTF_8))
    Files.write(d.resolve("nested/empty.txt"), Array.emptyByteArray)
    d
  }

  test("a run's artifact root is proxied (mlflow-artifacts:/) on the test server") {
    assert(store.runArtifactUri(runId).startsWith("mlflow-artifacts:/"))
  }

  test("a directory tree with non-ASCII, space and reserved-character names round-trips byte for byte") {
    store.logArtifacts(runId, src, "tree")
    val back = store.download(runId, "tree", TestSpark.tempDir("dl"))
    assert(back.getFileName.toString == "tree")
    assert(tree(back) == tree(src))
  }

  test("a single file lands under the artifact path and lists with its size") {
    store.logArtifacts(runId, src.resolve("model.bin"), "single")
    assert(store.list(runId, "single").asScala == Seq(ArtifactEntry("single/model.bin", isDir = false, 70000L)))
    val f = store.download(runId, "single/model.bin", TestSpark.tempDir("one"))
    assert(TestServer.sha256(f) == TestServer.sha256(src.resolve("model.bin")))
  }

  test("the stock client sees what the native path uploaded") {
    val listed = client.listArtifacts(runId).asScala.map(_.getPath).toSet
    assert(Set("tree", "single").subsetOf(listed))
  }

  test("download by a full mlflow-artifacts URI, not tied to a run") {
    val uri = ArtifactUris.join(store.runArtifactUri(runId), "tree/nested")
    val got = store.downloadUri(uri, TestSpark.tempDir("uri"))
    assert(tree(got) == tree(src.resolve("nested")))
    assert(store.listUri(uri).asScala.map(_.path).toSet == Set("déjà vu", "empty.txt"))
  }

  test("String-only overloads for Python callers") {
    val uri = ArtifactUris.join(store.runArtifactUri(runId), "single")
    assert(store.listUri(uri).asScala.map(_.path) == Seq("model.bin"))
    val dst = TestSpark.tempDir("str").toString
    assert(store.downloadUri(uri, dst) == s"$dst/single")
    assert(store.download(runId, "single/model.bin", dst) == s"$dst/model.bin")
  }

  test("a name the server refuses ('#') is BAD_INPUT saying why") {
    val d = TestSpark.tempDir("hash")
    Files.write(d.resolve("a#b.txt"), "x".getBytes(UTF_8))
    val e = intercept[BridgeException](store.logArtifacts(runId, d, "hash"))
    assert(e.kind == BridgeException.Kind.BAD_INPUT && e.getMessage.contains("refuses the artifact path") && e.getMessage.contains("a#b.txt"))
    assert(e.uri == s"${store.runArtifactUri(runId)}/hash/a#b.txt" && e.httpStatus == 400, (e.uri, e.httpStatus))
  }

  test("a missing artifact is NOT_FOUND naming the run and the path") {
    val e = intercept[BridgeException](store.download(runId, "nope/x", TestSpark.tempDir("none")))
    assert(e.kind == BridgeException.Kind.NOT_FOUND)
    assert(e.getMessage.contains(s"run '$runId' has no artifact 'nope/x'"))
    assert(e.path == "nope/x" && e.uri == s"${store.runArtifactUri(runId)}/nope/x", (e.path, e.uri))
  }

  test("error kinds carry what was wrong: a missing URI, a refused path, the server's status and code") {
    val missing = s"${store.runArtifactUri(runId)}/nothing/here.bin"
    val e = intercept[BridgeException](store.downloadUri(missing, TestSpark.tempDir("gone")))
    assert(e.kind == BridgeException.Kind.NOT_FOUND && e.uri == missing && e.getMessage == s"artifact $missing does not exist")
    val refused = intercept[BridgeException](store.list(runId, "a/../../b"))
    assert(refused.kind == BridgeException.Kind.BAD_INPUT && refused.path == "a/../../b" && refused.uri == null)
    val run = intercept[BridgeException](store.runArtifactUri("0123456789abcdef0123456789abcdef"))
    assert(
      run.kind == BridgeException.Kind.NOT_FOUND && run.httpStatus == 404 && run.errorCode == "RESOURCE_DOES_NOT_EXIST",
      (run.httpStatus, run.errorCode)
    )
    val elsewhere = intercept[BridgeException](store.listUri("gs://bucket/x"))
    assert(elsewhere.kind == BridgeException.Kind.BAD_INPUT && elsewhere.uri == "gs://bucket/x")
    // Java callers switch on the enum; every kind has a Python word (its name).
    val word = e.kind match {
      case BridgeException.Kind.NOT_FOUND                                      => "not found"
      case BridgeException.Kind.BAD_INPUT | BridgeException.Kind.ACCESS_DENIED => "refused"
      case _                                                                   => "other"
    }
    assert(
      word == "not found" && BridgeException.Kind.values.map(_.name).toSeq == Seq(
        "NOT_FOUND",
        "BAD_INPUT",
        "UNREACHABLE",
        "ACCESS_DENIED",
        "REST_ERROR",
        "JVM_ERROR"
      )
    )
  }

  test("an unknown run is NOT_FOUND") {
    val e = intercept[BridgeException](store.runArtifactUri("0123456789abcdef0123456789abcdef"))
    assert(e.kind == BridgeException.Kind.NOT_FOUND)
  }

  test("path helpers: percent-encoding and mlflow-artifacts URI forms") {
    assert(ArtifactUris.encodeSegment("a b/ü+") == "a%20b%2F%C3%BC%2B")
    assert(ArtifactUris.encodeSegment("AZaz09-._~!*'();:@&=$,#?%") == "AZaz09-._~%21%2A%27%28%29%3B%3A%40%26%3D%24%2C%23%3F%25")
    assert(ArtifactUris.proxiedPath("mlflow-artifacts:/1/abc/artifacts/") == "1/abc/artifacts")
    assert(ArtifactUris.proxiedPath("mlflow-artifacts://host:5000/1/abc") == "1/abc")
    assert(ArtifactUris.authority("mlflow-artifacts://host:5000/1/abc") == "host:5000")
    assert(ArtifactUris.join("mlflow-artifacts:/1/r/artifacts", null) == "mlflow-artifacts:/1/r/artifacts")
  }
}
