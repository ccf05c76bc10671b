package mlflowbridge

import mlflowbridge.rest._
import mlflowbridge.model._

import java.net.InetSocketAddress
import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path}

import scala.jdk.CollectionConverters._

import com.sun.net.httpserver.HttpServer
import org.scalatest.funsuite.AnyFunSuite

/**
 * A server whose artifact listing names files that would land outside the download folder:
 * every such name is refused before anything is written (the Python client refuses them too).
 * The server is a fake on loopback, started here: a real tracking server never lists them.
 */
class HostileListingSuite extends AnyFunSuite with org.scalatest.BeforeAndAfterAll {
  @volatile private var listed = ""
  @volatile private var cutOff = false
  private val cutOffTimes = new java.util.concurrent.atomic.AtomicInteger(0) // cut off this many downloads, then serve
  private val putCutOffTimes = new java.util.concurrent.atomic.AtomicInteger(0) // hang up on this many uploads
  private val puts = new java.util.concurrent.ConcurrentLinkedQueue[String]()

  private lazy val server: HttpServer = {
    val s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0)
    s.createContext(
      "/api/2.0/mlflow-artifacts/artifacts",
      ex => {
        if (ex.getRequestMethod == "PUT") puts.add(ex.getRequestURI.getPath)
        if (ex.getRequestMethod == "PUT" && putCutOffTimes.getAndUpdate(n => math.max(0, n - 1)) > 0) {
          ex.getRequestBody.read(new Array[Byte](2)) // read a little, then hang up without an answer
          ex.close()
          throw new java.io.IOException("cut off")
        }
        val file = ex.getRequestMethod == "GET" && !ex.getRequestURI.getPath.endsWith("/artifacts")
        val partial = file && (cutOff || cutOffTimes.getAndUpdate(n => math.max(0, n - 1)) > 0)
        val body =
          if (ex.getRequestURI.getPath.endsWith("/artifacts")) // a listing
            s"""{"files": [{"path": ${Json.mapper.writeValueAsString(listed)}, "is_dir": false, "file_size": 6}]}"""
          else "pwned!"
        val bytes = body.getBytes(UTF_8)
        // Cut off: promise more bytes than are sent, then hang up.
        ex.sendResponseHeaders(200, if (partial) 1000L else bytes.length.toLong)
        ex.getResponseBody.write(bytes)
        try ex.close()
        catch { case _: java.io.IOException => () }
      }
    )
    s.start()
    s
  }
  private val fast =
    Map("MLFLOW_HTTP_REQUEST_MAX_RETRIES" -> "2", "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR" -> "0.01", "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER" -> "0")
  private lazy val fake = Mlflow.forUri(s"http://127.0.0.1:${server.getAddress.getPort}", fast.asJava)
  private lazy val store = fake.artifacts

  private def files(root: Path): Set[String] = {
    val w = Files.walk(root)
    try w.iterator().asScala.filter(Files.isRegularFile(_)).map(p => root.relativize(p).toString).toSet
    finally w.close()
  }

  private val hostile = Seq(
    "../evil.txt",
    "..",
    ".",
    "",
    "/tmp/evil.txt",
    "a/../../evil.txt",
    "sub/evil.txt",
    "..\\evil.txt",
    "\\\\server\\share\\evil.txt",
    "C:\\evil.txt",
    "evil\u0000.txt",
    "evil\n.txt",
    "evil\u001b[31m.txt",
    "evil\u007f.txt"
  )

  for (name <- hostile) test(s"refused: ${Json.mapper.writeValueAsString(name)}") {
    listed = name
    val parent = TestSpark.tempDir("hostile")
    val e = intercept[BridgeException](store.downloadUri("mlflow-artifacts:/m", parent.resolve("dst")))
    assert(e.kind == BridgeException.Kind.BAD_INPUT)
    assert(e.getMessage.startsWith(s"refusing artifact name ${Json.mapper.writeValueAsString(name)} listed by mlflow-artifacts:/m: "), e.getMessage)
    assert(e.path == name && e.uri == "mlflow-artifacts:/m", (e.path, e.uri))
    assert(files(parent).isEmpty, s"written: ${files(parent)}")
  }

  test("a plain name (dots, percent signs and spaces inside one segment) is downloaded") {
    listed = "..not parent %2F x.txt"
    val parent = TestSpark.tempDir("plain")
    val got = store.downloadUri("mlflow-artifacts:/m", parent.resolve("dst"))
    assert(files(parent) == Set("dst/m/..not parent %2F x.txt"))
    assert(TestSpark.read(got.resolve(listed)) == "pwned!")
  }

  private val hostilePaths = Seq("/etc", "C:\\x", "C:/x", "../x", "a/../../x", "a/./b", "a//b", "a\\b", "x\u0000y", "x\ny", ".", "..")

  for (path <- hostilePaths) test(s"a user-given artifact path is refused before any request: ${Json.mapper.writeValueAsString(path)}") {
    val dst = TestSpark.tempDir("userpath")
    for (call <- Seq[() => Any](() => store.download("r", path, dst), () => store.list("r", path), () => store.logArtifacts("r", dst, path))) {
      val e = intercept[BridgeException](call())
      assert(
        e.kind == BridgeException.Kind.BAD_INPUT && e.getMessage.startsWith(
          s"artifact path ${Json.mapper.writeValueAsString(path)} is not a safe relative path: "
        ),
        e.getMessage
      )
      assert(e.path == path)
    }
    val m = intercept[BridgeException](fake.models.uris.fetch(s"runs:/r/$path", dst)).getMessage
    assert(m.contains("is not a safe relative path"), m)
    assert(files(dst).isEmpty)
  }

  test("a symbolic link inside a local artifact tree that points outside it is refused") {
    val outside = TestSpark.tempDir("outside").resolve("secret.txt")
    Files.write(outside, "secret".getBytes(UTF_8))
    val src = TestSpark.tempDir("linked")
    Files.write(src.resolve("ok.txt"), "ok".getBytes(UTF_8))
    Files.createSymbolicLink(src.resolve("link.txt"), outside)
    val dst = TestSpark.tempDir("linked-dst")
    val e = intercept[BridgeException](store.downloadUri(src.toUri.toString, dst))
    assert(e.getMessage.contains("is a symbolic link to") && e.getMessage.contains("outside"), e.getMessage)
    assert(e.kind == BridgeException.Kind.BAD_INPUT && e.path == src.resolve("link.txt").toString, e.path)
    assert(!files(dst).exists(_.endsWith("link.txt")))
  }

  test("a download cut off mid-way is tried again; when it stays cut off it leaves no file, partial or temporary, and says so") {
    listed = "model.bin"
    cutOff = true
    val parent = TestSpark.tempDir("cutoff")
    try {
      val e = intercept[BridgeException](store.downloadUri("mlflow-artifacts:/m", parent.resolve("dst")))
      assert(
        e.kind == BridgeException.Kind.UNREACHABLE && e.getMessage.startsWith(
          "download of mlflow-artifacts:/m/model.bin was cut off, after 2 retries: "
        ),
        e.getMessage
      )
      assert(e.uri == "mlflow-artifacts:/m/model.bin")
      assert(files(parent).isEmpty, s"left behind: ${files(parent)}")
    } finally cutOff = false
    // The network is back: the same call succeeds.
    assert(Files.readString(store.downloadUri("mlflow-artifacts:/m", parent.resolve("dst")).resolve("model.bin")) == "pwned!")
  }

  test("a download cut off once succeeds on its retry") {
    listed = "model.bin"
    cutOffTimes.set(1)
    val dst = TestSpark.tempDir("cutoff-once").resolve("dst")
    assert(Files.readString(store.downloadUri("mlflow-artifacts:/m", dst).resolve("model.bin")) == "pwned!")
    assert(cutOffTimes.get == 0)
  }

  test("a directory upload sends MLmodel last, after every file it names") {
    val dir = TestSpark.tempDir("upload")
    Files.createDirectories(dir.resolve("sparkml/stages"))
    Seq("MLmodel", "conda.yaml", "sparkml/metadata.json", "sparkml/stages/a.parquet", "sparkml/stages/b.parquet")
      .foreach(f => Files.write(dir.resolve(f), f.getBytes(UTF_8)))
    puts.clear()
    store.upload(dir, "mlflow-artifacts:/up")
    val order = puts.asScala.toList
    assert(order.size == 5 && order.last.endsWith("/up/MLmodel"), order)
  }

  test("an upload cut off mid-way is sent again (an upload may be repeated); one that stays cut off says so") {
    val f = TestSpark.tempDir("put").resolve("model.bin")
    Files.write(f, Array.fill[Byte](100000)(7))
    puts.clear()
    putCutOffTimes.set(1)
    store.upload(f, "mlflow-artifacts:/up")
    // Sent again after the cut-off and accepted (no error). At least twice, not exactly: the JDK's
    // HttpClient may itself resend a request whose pooled connection the server hung up on.
    val sent = puts.asScala.toList
    assert(sent.size >= 2 && sent.forall(_ == "/api/2.0/mlflow-artifacts/artifacts/up/model.bin"), sent)
    putCutOffTimes.set(10)
    val e = intercept[BridgeException](store.upload(f, "mlflow-artifacts:/up"))
    putCutOffTimes.set(0)
    assert(
      e.kind == BridgeException.Kind.UNREACHABLE && e.getMessage.contains("did not answer PUT") && e.getMessage.contains("after 2 retries"),
      e.getMessage
    )
  }

  override def afterAll(): Unit = server.stop(0)
}
