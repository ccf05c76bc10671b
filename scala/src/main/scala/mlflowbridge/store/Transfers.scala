package mlflowbridge
package store

import mlflowbridge.model.MlModelFile
import mlflowbridge.rest.{MlflowRest, Retries}

import java.io.{IOException, InputStream}
import java.nio.file.{Files, Path, StandardCopyOption}
import java.util.concurrent.{Callable, ExecutionException, Executors}

import scala.jdk.CollectionConverters._

import org.apache.commons.io.FileUtils

/** How files move, whatever the store: in parallel, atomically, again after a cut-off. */
private[mlflowbridge] object Transfers {

  /** A transfer the network cut off part-way (the server went away or closed the connection). */
  final class CutOff(cause: IOException) extends RuntimeException(cause)

  /** Concurrent transfers: a saved pipeline is dozens of small files (metadata, parquet, .crc). */
  val Threads = 4

  /** Runs `f` over `items` on up to [[Threads]] threads; the first failure is rethrown as is. */
  def parallel[T](items: Seq[T])(f: T => Unit): Unit =
    if (items.size <= 1) items.foreach(f)
    else {
      val pool = Executors.newFixedThreadPool(
        math.min(Threads, items.size),
        (r: Runnable) => {
          val t = new Thread(r, "mlflow-bridge-artifacts"); t.setDaemon(true); t
        }
      )
      try {
        val futures = items.map(i => pool.submit(new Callable[Unit] { def call(): Unit = f(i) }))
        futures.foreach(fu =>
          try fu.get()
          catch { case e: ExecutionException => throw e.getCause }
        )
      } finally pool.shutdownNow()
    }

  /**
   * A file (to `<destUri>/<name>`) or a directory tree (its contents to `<destUri>/`), one
   * `put(file, uri)` per file, in parallel. A model's MLmodel goes up after every file it names:
   * an upload cut off part-way never looks like a loadable model.
   */
  def uploadTree(local: Path, destUri: String)(put: (Path, String) => Unit): Unit = {
    val files =
      if (Files.isDirectory(local)) {
        val walk = Files.walk(local)
        try walk.iterator().asScala.filter(Files.isRegularFile(_)).map(f => f -> local.relativize(f)).toList
        finally walk.close()
      } else List(local -> local.getFileName)
    val (mlmodel, others) = files.partition { case (_, rel) => rel.toString == MlModelFile.FileName }
    for (batch <- Seq(others, mlmodel))
      parallel(batch) { case (f, rel) => put(f, ArtifactUris.join(destUri, rel.iterator().asScala.map(_.toString).mkString("/"))) }
  }

  /**
   * Runs `once` (one attempt at downloading `uri` into `target`) again while the transfer is cut
   * off mid-way, waiting as `retries` says; then gives up naming `uri`.
   */
  def retryingCutOff(uri: String, target: Path, retries: Retries)(once: => Boolean): Boolean = {
    @annotation.tailrec
    def attempt(retried: Int): Boolean = {
      val outcome =
        try Right(once)
        catch { case e: CutOff => Left(e) }
      outcome match {
        case Right(found) => found
        case Left(_) if retried < retries.maxRetries =>
          Thread.sleep((retries.delaySeconds(retried + 1) * 1000).toLong)
          attempt(retried + 1)
        case Left(e) =>
          throw BridgeException
            .unreachable(
              s"download of $uri was cut off${MlflowRest.after(retried)}: ${e.getCause.getMessage}; nothing was written to $target",
              e.getCause
            )
            .withUri(uri)
      }
    }
    attempt(0)
  }

  /**
   * `in` into `target` under a temporary name, then renamed: a download cut off mid-way leaves no
   * partial file. `expected` (the answer's Content-Length, or -1) catches a stream that ends early
   * without an error, as HttpURLConnection's may.
   */
  def writeAtomically(in: InputStream, target: Path, expected: Long = -1L): Unit = {
    Option(target.getParent).foreach(Files.createDirectories(_))
    val part = target.resolveSibling(s".${target.getFileName}.part-${java.util.UUID.randomUUID().toString.take(8)}")
    try {
      val n = Files.copy(in, part)
      if (expected >= 0 && n != expected) throw new CutOff(new IOException(s"the connection ended after $n of $expected bytes"))
      Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE)
    } catch {
      case e: IOException => throw new CutOff(e)
    } finally Files.deleteIfExists(part)
  }

  /** commons-io's copy, after refusing a symbolic link that points outside `src` (it could point anywhere). */
  def copyTree(src: Path, dst: Path): Unit =
    if (Files.isDirectory(src)) {
      val walk = Files.walk(src)
      try
        walk.iterator().asScala.filter(Files.isSymbolicLink(_)).foreach { p =>
          if (!p.toRealPath().startsWith(src.toRealPath()))
            throw BridgeException.badInput(s"refusing to copy $p: it is a symbolic link to ${p.toRealPath()}, outside $src").withPath(p.toString)
        }
      finally walk.close()
      FileUtils.copyDirectory(src.toFile, dst.toFile)
    } else FileUtils.copyFile(src.toFile, dst.toFile)

  def deleteTree(p: Path): Unit = FileUtils.deleteQuietly(p.toFile)
}
