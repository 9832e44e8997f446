package io.secretsbroker.policy;

/**
 * A policy file does not parse; carries the file name, the 1-based line and column of the fault and
 * a precise description of it.
 *
 * <p>{@link #getMessage()} reads {@code file:line:column: detail}, for example
 * {@code trading.hcl:3:21: unknown capability "raed" (did you mean "read"?)}. Columns count
 * characters (a tab counts as one); a fault at the end of the input points just past its last
 * character.
 */
public final class PolicyParseException extends PolicyException {
  private static final long serialVersionUID = 1L;

  private final String fileName;
  private final int line;
  private final int column;
  private final String detail;

  /**
   * Creates the exception.
   *
   * @param fileName the file (or source) name used in the message
   * @param line 1-based line of the fault
   * @param column 1-based column of the fault
   * @param detail what is wrong, without the position prefix
   */
  public PolicyParseException(String fileName, int line, int column, String detail) {
    super(fileName + ":" + line + ":" + column + ": " + detail);
    this.fileName = fileName;
    this.line = line;
    this.column = column;
    this.detail = detail;
  }

  /** Returns the file (or source) name the policy was read from. */
  public String fileName() {
    return fileName;
  }

  /** Returns the 1-based line of the fault. */
  public int line() {
    return line;
  }

  /** Returns the 1-based column of the fault. */
  public int column() {
    return column;
  }

  /** Returns what is wrong, without the {@code file:line:column: } prefix. */
  public String detail() {
    return detail;
  }
}
