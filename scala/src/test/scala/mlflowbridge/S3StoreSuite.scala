package mlflowbridge

import mlflowbridge.store._

import java.net.{InetSocketAddress, URLDecoder}
import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path}

import scala.jdk.CollectionConverters._

import com.sun.net.httpserver.HttpServer
import org.scalatest.funsuite.AnyFunSuite

/**
 * S3Store's rules without a real S3: a fake path-style endpoint on loopback that lists `keys`
 * under bucket `b`, serves each key's name as its body, and can cut a download off or refuse.
 * (tests/jvm/test_s3.py runs the real thing against moto.)
 */
class S3StoreSuite extends AnyFunSuite with org.scalatest.BeforeAndAfterAll {
  @volatile private var keys: Seq[String] = Nil
  @volatile private var refuse: Option[(Int, String)] = None // (HTTP status, S3 error code) for every request
  private val cutOffTimes = new java.util.concurrent.atomic.AtomicInteger(0)
  private val puts = new java.util.concurrent.ConcurrentLinkedQueue[String]()

  private lazy val server: HttpServer = {
    val s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0)
    s.createContext(
      "/",
      ex => {
        val path = URLDecoder.decode(ex.getRequestURI.getRawPath, UTF_8)
        val query = Option(ex.getRequestURI.getRawQuery).getOrElse("")
        def answer(status: Int, body: String, promised: Long = -1): Unit = {
          val bytes = body.getBytes(UTF_8)
          ex.sendResponseHeaders(status, if (promised >= 0) promised else if (bytes.isEmpty) -1 else bytes.length.toLong)
          if (bytes.nonEmpty) ex.getResponseBody.write(bytes)
          try ex.close()
          catch { case _: java.io.IOException => () }
        }
        ex.getRequestBody.readAllBytes()
        refuse match {
          case Some((status, code)) => answer(status, s"<Error><Code>$code</Code><Message>refused by the test</Message></Error>")
          case None if ex.getRequestMethod == "PUT" =>
            puts.add(path)
            ex.getResponseHeaders.add("ETag", "\"e\"")
            answer(200, "")
          case None if query.contains("list-type=2") =>
            def param(name: String): Option[String] =
              query.split("&").collectFirst { case q if q.startsWith(s"$name=") => URLDecoder.decode(q.drop(name.length + 1), UTF_8) }
            val prefix = param("prefix").getOrElse("")
            val under = keys.filter(_.startsWith(prefix))
            // With delimiter=/ S3 rolls up everything below the next '/' into a common prefix.
            val (rolled, direct) = if (param("delimiter").contains("/")) under.partition(_.drop(prefix.length).contains("/")) else (Nil, under)
            val dirs = rolled.map(k => prefix + k.drop(prefix.length).takeWhile(_ != '/') + "/").distinct
            val contents = direct.map(k => s"<Contents><Key>${xml(k)}</Key><Size>${k.length}</Size></Contents>") ++
              dirs.map(d => s"<CommonPrefixes><Prefix>${xml(d)}</Prefix></CommonPrefixes>")
            answer(
              200,
              s"""<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>${xml(
                  prefix
                )}</Prefix><KeyCount>${contents.size}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents.mkString}</ListBucketResult>"""
            )
          case None =>
            val key = path.stripPrefix("/b/")
            if (!keys.contains(key)) answer(404, "<Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>")
            else if (cutOffTimes.getAndUpdate(n => math.max(0, n - 1)) > 0) answer(200, key, promised = 1000) // promise more, hang up
            else answer(200, key)
        }
      }
    )
    s.start()
    s
  }

  private def xml(s: String): String = s.replace("&", "&amp;").replace("<", "&lt;")

  private lazy val mlflow: Mlflow = Mlflow.forUri(
    "http://127.0.0.1:9", // never called: these tests name s3:// locations directly
    java.util.Map.of(
      "MLFLOW_S3_ENDPOINT_URL",
      s"http://127.0.0.1:${server.getAddress.getPort}",
      "AWS_ACCESS_KEY_ID",
      "test",
      "AWS_SECRET_ACCESS_KEY",
      "test",
      "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR",
      "0",
      "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER",
      "0",
      "MLFLOW_HTTP_REQUEST_MAX_RETRIES",
      "2"
    )
  )

  override def afterAll(): Unit = {
    mlflow.close()
    server.stop(0)
  }

  private def files(root: Path): List[String] = {
    val walk = Files.walk(root)
    try walk.iterator().asScala.filter(Files.isRegularFile(_)).map(p => root.relativize(p).toString).toList.sorted
    finally walk.close()
  }

  test("s3:// URIs: bucket and key, slashes at the ends dropped; no bucket is bad input") {
    assert(S3Store.parse("s3://b/p/q/") == S3Location("b", "p/q"))
    assert(S3Store.parse("s3://b") == S3Location("b", ""))
    assert(S3Store.parse("s3://b/").dirPrefix == "")
    assert(intercept[BridgeException](S3Store.parse("s3:///k")).kind == BridgeException.Kind.BAD_INPUT)
  }

  test("multipart as boto3: 8 MiB parts, doubled only when 10,000 would not hold the file") {
    val mib = 1024L * 1024
    assert(S3Store.MultipartThreshold == 8 * mib && S3Store.partSize(100 * mib) == 8 * mib)
    assert(S3Store.partSize(10000 * 8 * mib) == 8 * mib && S3Store.partSize(10000 * 8 * mib + 1) == 16 * mib)
  }

  test("a part is exactly its slice of the file, and can be read again (the SDK signs, then sends)") {
    val f = Files.createTempFile("slice", ".bin")
    try {
      Files.write(f, (0 until 100).map(_.toByte).toArray)
      val provider = S3Store.slice(f, 10, 5)
      for (_ <- 1 to 2) {
        val in = provider.newStream()
        try assert(in.readAllBytes().toSeq == (10 until 15).map(_.toByte))
        finally in.close()
      }
    } finally Files.delete(f)
  }

  test("a tree downloads with every key under its prefix; a file by its own key") {
    keys = Seq("m/MLmodel", "m/sparkml/metadata/part-0", "m/sparkml/stages/0_x/data.parquet", "mother/not-under-m")
    val dst = TestSpark.tempDir("s3-tree")
    val got = mlflow.artifacts.downloadUri("s3://b/m", dst)
    assert(got == dst.resolve("m"))
    assert(files(got) == List("MLmodel", "sparkml/metadata/part-0", "sparkml/stages/0_x/data.parquet"))
    assert(Files.readString(got.resolve("MLmodel")) == "m/MLmodel")
    assert(Files.readString(mlflow.artifacts.downloadUri("s3://b/mother/not-under-m", dst.resolve("one"))) == "mother/not-under-m")
    assert(mlflow.artifacts.listUri("s3://b/m").asScala.map(e => (e.path, e.isDir)) == Seq("MLmodel" -> false, "sparkml" -> true))
    assert(intercept[BridgeException](mlflow.artifacts.downloadUri("s3://b/nothing", dst)).kind == BridgeException.Kind.NOT_FOUND)
  }

  test("a key that would land outside the destination is refused before anything is written") {
    for (hostile <- Seq("../evil", "a/../../evil", "a//evil", "a\\..\\evil", "a/.", "./a")) {
      keys = Seq("d/ok.txt", s"d/$hostile")
      val parent = TestSpark.tempDir("s3-hostile")
      val e = intercept[BridgeException](mlflow.artifacts.downloadUri("s3://b/d", parent.resolve("dst")))
      assert(
        e.kind == BridgeException.Kind.BAD_INPUT && e.getMessage.contains("refusing artifact name") && e.getMessage.contains("s3://b/d"),
        e.getMessage
      )
      assert(files(parent).isEmpty, s"$hostile left: ${files(parent)}")
    }
  }

  test("a download cut off mid-way (the stream just ends) is retried; when it stays cut off nothing is left") {
    keys = Seq("c/file.bin")
    cutOffTimes.set(1)
    val dst = TestSpark.tempDir("s3-cut")
    assert(Files.readString(mlflow.artifacts.downloadUri("s3://b/c/file.bin", dst)) == "c/file.bin")
    assert(cutOffTimes.get == 0)
    cutOffTimes.set(100)
    try {
      val parent = TestSpark.tempDir("s3-cut-always")
      val e = intercept[BridgeException](mlflow.artifacts.downloadUri("s3://b/c/file.bin", parent))
      assert(
        e.kind == BridgeException.Kind.UNREACHABLE && e.getMessage.startsWith("download of s3://b/c/file.bin was cut off, after 2 retries"),
        e.getMessage
      )
      assert(files(parent).isEmpty, files(parent))
    } finally cutOffTimes.set(0)
  }

  test("a directory upload puts MLmodel last") {
    val dir = TestSpark.tempDir("s3-up")
    Files.createDirectories(dir.resolve("sparkml/stages"))
    Seq("MLmodel", "conda.yaml", "sparkml/metadata.json", "sparkml/stages/a.parquet").foreach(f => Files.write(dir.resolve(f), f.getBytes(UTF_8)))
    puts.clear()
    mlflow.artifacts.upload(dir, "s3://b/up/model")
    val order = puts.asScala.toList
    assert(order.size == 4 && order.last == "/b/up/model/MLmodel", order)
  }

  test("S3's refusals are one-line errors naming the bucket: 403 ACCESS_DENIED, NoSuchBucket NOT_FOUND") {
    val dst = TestSpark.tempDir("s3-refused")
    try {
      refuse = Some(403 -> "SignatureDoesNotMatch")
      val denied = intercept[BridgeException](mlflow.artifacts.downloadUri("s3://b/x", dst))
      assert(
        denied.kind == BridgeException.Kind.ACCESS_DENIED && denied.getMessage.contains("bucket 'b'") && denied.getMessage.contains(
          "AWS_SECRET_ACCESS_KEY"
        ),
        denied.getMessage
      )
      assert(
        denied.httpStatus == 403 && denied.errorCode == "SignatureDoesNotMatch" && denied.uri == "s3://b/x",
        (denied.httpStatus, denied.errorCode, denied.uri)
      )
      refuse = Some(404 -> "NoSuchBucket")
      val missing = intercept[BridgeException](mlflow.artifacts.listUri("s3://b/x"))
      assert(
        missing.kind == BridgeException.Kind.NOT_FOUND && missing.getMessage.contains(
          "S3 bucket 'b' does not exist at S3 endpoint http://127.0.0.1:"
        ),
        missing.getMessage
      )
      assert(
        missing.httpStatus == 404 && missing.errorCode == "NoSuchBucket" && missing.uri == "s3://b/x",
        (missing.httpStatus, missing.errorCode, missing.uri)
      )
      assert(!Seq(denied, missing).exists(_.getMessage.contains("\n")))
    } finally refuse = None
  }
}
