package mlflowbridge
package store

import java.nio.file.Path

/** How the files of one kind of artifact store move; URIs name the files in that store. */
private[mlflowbridge] trait ArtifactTransport {

  /** Direct children of a directory, names relative to it (empty for a file or nothing). */
  def list(uri: String): Seq[ArtifactEntry]

  /** True when something is at `uri`: a file, or a directory with files. */
  def exists(uri: String): Boolean = list(uri).nonEmpty

  /** `uri` (a file, or everything under it) into `target`; false when nothing is there. */
  def download(uri: String, target: Path): Boolean

  /** A file (to `<uri>/<name>`) or a directory tree (its contents to `<uri>/`). */
  def upload(local: Path, uri: String): Unit
}
