package mlflowbridge

/**
 * Every error the bridge raises on purpose. `kind` is a stable word (NOT_FOUND, BAD_INPUT,
 * UNREACHABLE, REST_ERROR, ...) that the Python side maps to its own exception types.
 */
class BridgeException(val kind: String, message: String, cause: Throwable) extends RuntimeException(message, cause) {
  def this(kind: String, message: String) = this(kind, message, null)
}

object BridgeException {
  def notFound(msg: String): BridgeException = new BridgeException("NOT_FOUND", msg)
  def badInput(msg: String): BridgeException = new BridgeException("BAD_INPUT", msg)
  def unreachable(msg: String, cause: Throwable): BridgeException = new BridgeException("UNREACHABLE", msg, cause)
}
