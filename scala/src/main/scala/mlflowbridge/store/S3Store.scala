package mlflowbridge
package store

import mlflowbridge.rest._

import java.io.{IOException, InputStream}
import java.net.URI
import java.nio.channels.{Channels, FileChannel}
import java.nio.file.{Files, Path, StandardOpenOption}
import java.time.Duration
import java.util.concurrent.ConcurrentHashMap
import javax.net.ssl.SSLException

import scala.jdk.CollectionConverters._

import org.apache.commons.lang3.exception.ExceptionUtils
import software.amazon.awssdk.auth.credentials.{
  AwsBasicCredentials,
  AwsCredentialsProvider,
  AwsSessionCredentials,
  DefaultCredentialsProvider,
  StaticCredentialsProvider
}
import software.amazon.awssdk.core.checksums.{RequestChecksumCalculation, ResponseChecksumValidation}
import software.amazon.awssdk.core.exception.SdkClientException
import software.amazon.awssdk.core.sync.RequestBody
import software.amazon.awssdk.http.{ContentStreamProvider, SdkHttpConfigurationOption}
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient
import software.amazon.awssdk.regions.Region
import software.amazon.awssdk.services.s3.{S3Client, S3Configuration}
import software.amazon.awssdk.services.s3.model._
import software.amazon.awssdk.utils.AttributeMap

/** `s3://bucket/key`: `key` without slashes at the ends ("" = the bucket's root). */
private[mlflowbridge] final case class S3Location(bucket: String, key: String) {
  def uri: String = if (key.isEmpty) s"s3://$bucket" else s"s3://$bucket/$key"

  /** The prefix that lists what is under this location ("" at the bucket's root). */
  def dirPrefix: String = if (key.isEmpty) "" else s"$key/"
}

/**
 * s3:// artifact roots from the JVM, configured as MLflow's Python client configures boto3
 * (mlflow/store/artifact/s3_artifact_repo.py): MLFLOW_S3_ENDPOINT_URL (else AWS_ENDPOINT_URL_S3 or
 * AWS_ENDPOINT_URL, as boto3; with an endpoint, path-style addressing, which minio and moto need;
 * MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE overrides it), AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), else the SDK's default chain
 * (profiles, container and instance roles), AWS_DEFAULT_REGION or AWS_REGION, and
 * MLFLOW_S3_IGNORE_TLS. Files of [[S3Store.MultipartThreshold]] or more go up in parts, as boto3's.
 * `setting` looks a name up in the caller's variables, then in this process's environment.
 */
private[mlflowbridge] final class S3Store(setting: String => Option[String], retries: Retries) extends ArtifactTransport with AutoCloseable {
  // boto3 falls back to AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, when MLflow passes no endpoint.
  private val endpoint: Option[String] =
    Seq("MLFLOW_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL").flatMap(n => setting(n).map(_.trim).filter(_.nonEmpty)).headOption
  private val region: String = setting("AWS_DEFAULT_REGION").orElse(setting("AWS_REGION")).map(_.trim).filter(_.nonEmpty).getOrElse("us-east-1")

  /** Where requests go, for messages. */
  private val where: String = endpoint.fold(s"AWS S3 (region $region)")(e => s"S3 endpoint $e")

  // Most users never touch S3: the client (and its HTTP client) is made on first use.
  private var opened: Option[S3Client] = None
  private var closed = false

  private def s3: S3Client = synchronized {
    if (closed) throw BridgeException.badInput("this Mlflow object is closed; make a new one (Mlflow.fromEnv or Mlflow.forUri)")
    opened.getOrElse { val c = build(); opened = Some(c); c }
  }

  override def close(): Unit = synchronized {
    closed = true
    opened.foreach(_.close())
    opened = None
  }

  private def build(): S3Client = {
    val ignoreTls = setting("MLFLOW_S3_IGNORE_TLS").exists(v => v.trim.equalsIgnoreCase("true") || v.trim == "1")
    val httpBuilder = UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofSeconds(60))
    val http =
      if (ignoreTls)
        httpBuilder.buildWithDefaults(AttributeMap.builder().put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, java.lang.Boolean.TRUE).build())
      else httpBuilder.build()
    val style = setting("MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE").map(_.trim.toLowerCase).getOrElse("auto")
    val b = S3Client
      .builder()
      .httpClient(http)
      .region(Region.of(region))
      .credentialsProvider(credentials)
      .forcePathStyle(java.lang.Boolean.valueOf(style == "path" || (style == "auto" && endpoint.isDefined)))
    endpoint match {
      case Some(e) =>
        val u =
          try URI.create(e)
          catch { case _: IllegalArgumentException => throw BridgeException.badInput(s"MLFLOW_S3_ENDPOINT_URL '$e' is not a URL") }
        if (u.getScheme == null || u.getHost == null)
          throw BridgeException.badInput(s"MLFLOW_S3_ENDPOINT_URL '$e' is not a URL like http://host:port")
        // S3-compatible servers often lack the SDK's newer default checksums; send them only when required.
        // A body as it is, its SHA-256 signed once (as boto3), not aws-chunked with a signature per
        // 128 KB chunk: that took 3x boto3's CPU per 100 MB here, and the server's decoding more.
        b.endpointOverride(u)
          .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
          .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
      case None =>
        b.crossRegionAccessEnabled(java.lang.Boolean.TRUE) // as boto3, follow a bucket to its region
    }
    b.build()
  }

  private def credentials: AwsCredentialsProvider =
    (setting("AWS_ACCESS_KEY_ID"), setting("AWS_SECRET_ACCESS_KEY")) match {
      case (Some(id), Some(secret)) =>
        StaticCredentialsProvider.create(setting("AWS_SESSION_TOKEN") match {
          case Some(token) => AwsSessionCredentials.create(id, secret, token)
          case None        => AwsBasicCredentials.create(id, secret)
        })
      case (Some(_), None) => throw BridgeException.badInput("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
      case _               =>
        // The chain's failure, told apart from the SDK's other client errors by its type.
        val chain = DefaultCredentialsProvider.builder().build()
        () =>
          try chain.resolveCredentials()
          catch { case e: SdkClientException => throw new S3Store.NoCredentials(e) }
    }

  /** Direct children of `uri`'s "directory", names relative to it, sorted (empty for a file or nothing). */
  def list(uri: String): Seq[ArtifactEntry] = {
    val loc = S3Store.parse(uri)
    val prefix = loc.dirPrefix
    call(s"list $uri", loc) {
      val pages = s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(loc.bucket).prefix(prefix).delimiter("/").build())
      pages.asScala.toList.flatMap { page =>
        val dirs = page.commonPrefixes().asScala.map(p => ArtifactEntry(p.prefix().stripPrefix(prefix).stripSuffix("/"), isDir = true, 0L))
        val files = page.contents().asScala.map(o => ArtifactEntry(o.key().stripPrefix(prefix), isDir = false, o.size().longValue()))
        dirs ++ files.filter(_.path.nonEmpty) // a "directory marker" object names the listed prefix itself
      }
    }.sortBy(_.path)
  }

  /** True when `uri` is an object or has objects under it. */
  override def exists(uri: String): Boolean = {
    val loc = S3Store.parse(uri)
    def first(prefix: String): Option[String] =
      s3.listObjectsV2(ListObjectsV2Request.builder().bucket(loc.bucket).prefix(prefix).maxKeys(1).build()).contents().asScala.headOption.map(_.key())
    call(s"look up $uri", loc) {
      // Keys are listed in order, and `key` sorts before every longer key that starts with it.
      first(loc.key).contains(loc.key) || first(loc.dirPrefix).isDefined
    }
  }

  /**
   * `uri` (a file or everything under it) into `target`; false when nothing is there. Every key is
   * checked with [[ArtifactUris.childOf]] before anything is written; files come in parallel.
   */
  def download(uri: String, target: Path): Boolean = {
    val loc = S3Store.parse(uri)
    val prefix = loc.dirPrefix
    val keys = call(s"list $uri", loc) {
      s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(loc.bucket).prefix(prefix).build()).contents().asScala.map(_.key()).toList
    }
    if (keys.isEmpty) getFile(loc, target)
    else {
      val (markers, files) = keys.map(k => k -> k.stripPrefix(prefix)).filter(_._2.nonEmpty).partition(_._2.endsWith("/"))
      // The store names these: never trusted. Every segment must stay under `target`.
      def local(rel: String): Path = rel.split("/", -1).foldLeft(target)((dir, seg) => ArtifactUris.childOf(dir, seg, uri))
      val dirs = markers.map { case (_, rel) => local(rel.stripSuffix("/")) }
      val plan = files.map { case (key, rel) => S3Location(loc.bucket, key) -> local(rel) }
      Files.createDirectories(target)
      dirs.foreach(Files.createDirectories(_))
      Transfers.parallel(plan) { case (l, t) =>
        if (!getFile(l, t)) throw BridgeException.notFound(s"artifact ${l.uri} vanished during the download").withUri(l.uri)
      }
      true
    }
  }

  /** One object into `target` (temporary name, then a rename; a transfer cut off mid-way is retried); false if missing. */
  private def getFile(loc: S3Location, target: Path): Boolean =
    Transfers.retryingCutOff(loc.uri, target, retries) {
      val req = GetObjectRequest.builder().bucket(loc.bucket).key(loc.key).build()
      val in = call(s"download ${loc.uri}", loc) {
        try s3.getObject(req)
        catch { case _: NoSuchKeyException => null }
      }
      in != null && {
        try Transfers.writeAtomically(in, target, Option(in.response().contentLength()).map(_.longValue).getOrElse(-1L))
        finally in.close()
        true
      }
    }

  def upload(local: Path, uri: String): Unit = Transfers.uploadTree(local, uri)(put)

  /** `local` (a file) to `uri`: one PUT below [[S3Store.MultipartThreshold]], else parts in parallel. */
  def put(local: Path, uri: String): Unit = {
    val loc = S3Store.parse(uri)
    if (loc.key.isEmpty) throw BridgeException.badInput(s"cannot upload $local to $uri: it names a bucket, not an object").withUri(uri)
    val size = Files.size(local)
    call(s"upload of $local to $uri", loc) {
      if (size < S3Store.MultipartThreshold)
        s3.putObject(PutObjectRequest.builder().bucket(loc.bucket).key(loc.key).build(), RequestBody.fromFile(local))
      else multipart(local, size, loc)
    }
  }

  private def multipart(local: Path, size: Long, loc: S3Location): Unit = {
    val partSize = S3Store.partSize(size)
    val count = ((size + partSize - 1) / partSize).toInt
    val id = s3.createMultipartUpload(CreateMultipartUploadRequest.builder().bucket(loc.bucket).key(loc.key).build()).uploadId()
    try {
      val etags = new ConcurrentHashMap[Int, String]()
      Transfers.parallel(1 to count) { n =>
        val offset = (n - 1).toLong * partSize
        val length = math.min(partSize, size - offset)
        val req = UploadPartRequest.builder().bucket(loc.bucket).key(loc.key).uploadId(id).partNumber(n).contentLength(length).build()
        val body = RequestBody.fromContentProvider(S3Store.slice(local, offset, length), length, "application/octet-stream")
        etags.put(n, s3.uploadPart(req, body).eTag())
      }
      val parts = (1 to count).map(n => CompletedPart.builder().partNumber(n).eTag(etags.get(n)).build())
      s3.completeMultipartUpload(
        CompleteMultipartUploadRequest
          .builder()
          .bucket(loc.bucket)
          .key(loc.key)
          .uploadId(id)
          .multipartUpload(CompletedMultipartUpload.builder().parts(parts.asJava).build())
          .build()
      )
    } catch {
      case e: Throwable =>
        // Parts already sent cost storage until aborted; a failed abort must not hide the cause.
        try s3.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(loc.bucket).key(loc.key).uploadId(id).build())
        catch { case abort: Exception => e.addSuppressed(abort) }
        throw e
    }
  }

  /** The SDK's exceptions as one-line [[BridgeException]]s naming the bucket and where it was looked for. */
  private def call[T](what: String, loc: S3Location)(f: => T): T =
    try f
    catch {
      case e: NoSuchBucketException =>
        throw BridgeException
          .notFound(s"$what: S3 bucket '${loc.bucket}' does not exist at $where")
          .withUri(loc.uri)
          .withHttp(e.statusCode(), S3Store.code(e))
      case e: NoSuchKeyException =>
        throw BridgeException
          .notFound(s"$what: no object '${loc.key}' in S3 bucket '${loc.bucket}'")
          .withUri(loc.uri)
          .withHttp(e.statusCode(), S3Store.code(e))
      case e: S3Exception if e.statusCode() == 403 || S3Store.DeniedCodes(S3Store.code(e)) =>
        throw BridgeException
          .accessDenied(
            s"$what: $where refused access to bucket '${loc.bucket}' (${S3Store.describe(e)}); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)"
          )
          .withUri(loc.uri)
          .withHttp(e.statusCode(), S3Store.code(e))
      case e: S3Exception =>
        throw BridgeException
          .restError(s"$what failed: $where answered HTTP ${e.statusCode()} for bucket '${loc.bucket}' (${S3Store.describe(e)})")
          .withUri(loc.uri)
          .withHttp(e.statusCode(), S3Store.code(e))
      case e: RuntimeException if S3Store.caused(e, classOf[S3Store.NoCredentials]) =>
        throw BridgeException
          .accessDenied(s"$what: no AWS credentials for bucket '${loc.bucket}'; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)")
          .withUri(loc.uri)
      case e: SdkClientException if S3Store.caused(e, classOf[SSLException]) =>
        throw BridgeException
          .unreachable(
            s"$what: TLS to $where failed (${S3Store.rootMessage(e)}); trust its certificate in the JVM, or set MLFLOW_S3_IGNORE_TLS=true to skip verification",
            null
          )
          .withUri(loc.uri)
      case e: SdkClientException if S3Store.caused(e, classOf[IOException]) =>
        throw BridgeException
          .unreachable(s"$what: $where is unreachable for bucket '${loc.bucket}' (${S3Store.rootMessage(e)})", null)
          .withUri(loc.uri)
    }
}

private[mlflowbridge] object S3Store {

  /** boto3's (s3transfer's) defaults: 8 MiB threshold and part size. */
  val MultipartThreshold: Long = 8L * 1024 * 1024
  val PartSize: Long = 8L * 1024 * 1024

  /** S3 takes at most 10,000 parts: the part size doubles until they fit, as s3transfer's. */
  val MaxParts = 10000

  def partSize(size: Long): Long = Iterator.iterate(PartSize)(_ * 2).find(p => (size + p - 1) / p <= MaxParts).get

  def parse(uri: String): S3Location = {
    val rest = uri.stripPrefix("s3://")
    val bucket = rest.takeWhile(_ != '/')
    if (!ArtifactUris.isS3(uri) || bucket.isEmpty) throw BridgeException.badInput(s"'$uri' is not an s3://bucket/path URI").withUri(uri)
    S3Location(bucket, rest.drop(bucket.length).stripPrefix("/").stripSuffix("/"))
  }

  /** Error codes S3 (and compatible servers) give for bad or insufficient credentials. */
  val DeniedCodes: Set[String] =
    Set("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "AllAccessDisabled")

  def code(e: S3Exception): String = Option(e.awsErrorDetails()).flatMap(d => Option(d.errorCode())).getOrElse("")

  def describe(e: S3Exception): String = {
    val msg = Option(e.awsErrorDetails()).flatMap(d => Option(d.errorMessage())).getOrElse("")
    oneLine(Seq(code(e), msg).filter(_.nonEmpty).mkString(": ")) match { case "" => s"HTTP ${e.statusCode()}"; case s => s }
  }

  /** The default credentials chain found none (the SDK may wrap this in its own exception). */
  final class NoCredentials(cause: SdkClientException) extends RuntimeException(cause)

  def caused(e: Throwable, by: Class[_ <: Throwable]): Boolean = ExceptionUtils.indexOfType(e, by) >= 0

  def rootMessage(e: Throwable): String = {
    val root = ExceptionUtils.getRootCause(e)
    oneLine(s"${root.getClass.getSimpleName}: ${Option(root.getMessage).getOrElse("")}")
  }

  def oneLine(s: String): String = Option(s).getOrElse("").replaceAll("\\s+", " ").trim

  /** `length` bytes of `file` from `offset`, re-readable (the SDK reads a body again to sign or retry it). */
  def slice(file: Path, offset: Long, length: Long): ContentStreamProvider = () => {
    val ch = FileChannel.open(file, StandardOpenOption.READ)
    ch.position(offset)
    new Limited(Channels.newInputStream(ch), length)
  }

  private final class Limited(in: InputStream, private var left: Long) extends InputStream {
    override def read(): Int = if (left <= 0) -1 else { val b = in.read(); if (b >= 0) left -= 1; b }
    override def read(buf: Array[Byte], off: Int, len: Int): Int =
      if (left <= 0) -1
      else {
        val n = in.read(buf, off, math.min(len.toLong, left).toInt)
        if (n > 0) left -= n
        n
      }
    override def available(): Int = math.min(in.available().toLong, left).toInt
    override def close(): Unit = in.close()
  }
}
