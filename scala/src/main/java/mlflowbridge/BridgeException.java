package mlflowbridge;

/**
 * Every error the bridge raises on purpose. {@link #kind()} is one of a closed set that callers
 * switch on (Python maps it to its own exception types); the fields say what was wrong, null (or 0
 * for the HTTP status) where they do not apply. Written in Java so that {@link Kind} is a Java enum.
 */
public final class BridgeException extends RuntimeException {

  /** What went wrong, as a caller would handle it. */
  public enum Kind {
    /** An experiment, run, model, version, alias, artifact or local file that does not exist. */
    NOT_FOUND,
    /** Input that does not fit: a refused path, a missing column, a corrupt model, a bad option. */
    BAD_INPUT,
    /** The tracking server or a store could not be reached, or a transfer was cut off. */
    UNREACHABLE,
    /** The server refused the credentials (401) or the user's permission (403). */
    ACCESS_DENIED,
    /** The server answered with another error (see {@link #httpStatus()} and {@link #errorCode()}). */
    REST_ERROR,
    /** Any other failure inside the JVM (Spark, a scoring job). */
    JVM_ERROR
  }

  private final Kind kind;
  private final String path;
  private final String uri;
  private final String column;
  private final int httpStatus;
  private final String errorCode;

  public BridgeException(Kind kind, String message, Throwable cause, String path, String uri, String column, int httpStatus, String errorCode) {
    super(message, cause);
    this.kind = kind;
    this.path = path;
    this.uri = uri;
    this.column = column;
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  public BridgeException(Kind kind, String message, Throwable cause) {
    this(kind, message, cause, null, null, null, 0, null);
  }

  public BridgeException(Kind kind, String message) {
    this(kind, message, null);
  }

  public Kind kind() { return kind; }

  /** The local or artifact path that was refused or missing. */
  public String path() { return path; }

  /** The artifact or model URI that was missing or refused. */
  public String uri() { return uri; }

  /** The input column that was missing or wrong. */
  public String column() { return column; }

  /** The HTTP status the server answered, 0 when no server answered. */
  public int httpStatus() { return httpStatus; }

  /** The server's error code (MLflow's RESOURCE_DOES_NOT_EXIST, S3's AccessDenied, ...), or null. */
  public String errorCode() { return errorCode; }

  /** The same error, naming the path that was wrong. */
  public BridgeException withPath(String path) { return same(new BridgeException(kind, getMessage(), getCause(), path, uri, column, httpStatus, errorCode)); }

  /** The same error, naming the URI that was wrong. */
  public BridgeException withUri(String uri) { return same(new BridgeException(kind, getMessage(), getCause(), path, uri, column, httpStatus, errorCode)); }

  /** The same error, naming the column that was wrong. */
  public BridgeException withColumn(String column) { return same(new BridgeException(kind, getMessage(), getCause(), path, uri, column, httpStatus, errorCode)); }

  /** The same error, with the server's answer. */
  public BridgeException withHttp(int status, String code) {
    return same(new BridgeException(kind, getMessage(), getCause(), path, uri, column, status, code == null || code.isEmpty() ? null : code));
  }

  private BridgeException same(BridgeException copy) {
    copy.setStackTrace(getStackTrace());
    return copy;
  }

  public static BridgeException notFound(String message) { return new BridgeException(Kind.NOT_FOUND, message); }

  public static BridgeException badInput(String message) { return new BridgeException(Kind.BAD_INPUT, message); }

  public static BridgeException unreachable(String message, Throwable cause) { return new BridgeException(Kind.UNREACHABLE, message, cause); }

  public static BridgeException accessDenied(String message) { return new BridgeException(Kind.ACCESS_DENIED, message); }

  public static BridgeException restError(String message) { return new BridgeException(Kind.REST_ERROR, message); }

  public static BridgeException jvmError(String message, Throwable cause) { return new BridgeException(Kind.JVM_ERROR, message, cause); }
}
