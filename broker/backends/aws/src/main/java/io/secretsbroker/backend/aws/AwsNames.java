package io.secretsbroker.backend.aws;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.secretsbroker.spi.BackendException;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Maps broker names to AWS secret names and back, and encodes the listing's page tokens.
 *
 * <p>The AWS name is {@code namePrefix + name}. Every broker name fits AWS's character set
 * ({@code A-Z a-z 0-9 / _ + = . @ -}), so the mapping is the identity after the prefix and injective; the only
 * name it refuses is one that would exceed AWS's {@value #AWS_MAX_NAME_LENGTH} characters. Going back, an AWS
 * secret outside the prefix, or whose rest is not a broker name (it holds {@code + = @}, an empty segment or a
 * {@code ..} segment), is not visible through the broker. Immutable and thread-safe.
 */
final class AwsNames {
  /** AWS's limit on a secret name. */
  static final int AWS_MAX_NAME_LENGTH = 512;
  /** AWS's limit on a {@code ListSecrets} filter value. */
  static final int AWS_MAX_FILTER_LENGTH = 512;

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern FILTER_VALUE = Pattern.compile("[a-zA-Z0-9 :_@/+=.-]+");
  private static final String TOKEN_MARK = "after:";

  private final String namePrefix;

  AwsNames(String namePrefix) {
    this.namePrefix = namePrefix;
  }

  /**
   * The AWS secret name of {@code name}.
   *
   * @throws BackendException {@code INVALID_ARGUMENT} when the prefixed name exceeds AWS's limit
   */
  String toAws(String name) {
    String aws = namePrefix + name;
    if (aws.length() > AWS_MAX_NAME_LENGTH) {
      throw BackendException.invalid("secret name '" + name + "' is too long for AWS Secrets Manager: with the"
          + " mount's name-prefix it has " + aws.length() + " characters, the limit is " + AWS_MAX_NAME_LENGTH);
    }
    return aws;
  }

  /** The broker name of AWS secret {@code awsName}, or empty when it is outside the prefix or cannot map. */
  Optional<String> fromAws(String awsName) {
    if (awsName == null || !awsName.startsWith(namePrefix)) {
      return Optional.empty();
    }
    String name = awsName.substring(namePrefix.length());
    return isBrokerName(name) ? Optional.of(name) : Optional.empty();
  }

  /**
   * The value of a {@code ListSecrets} name filter (a case-sensitive prefix match in AWS) for broker prefix
   * {@code prefix}, or empty when no filter applies and the listing must look at every secret.
   */
  Optional<String> listFilter(String prefix) {
    String value = namePrefix + prefix;
    if (value.isEmpty() || value.length() > AWS_MAX_FILTER_LENGTH || !FILTER_VALUE.matcher(value).matches()) {
      return Optional.empty();
    }
    return Optional.of(value);
  }

  /** The page token that resumes a listing after broker name {@code lastName}. */
  static String pageToken(String lastName) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString((TOKEN_MARK + lastName).getBytes(UTF_8));
  }

  /**
   * The name a listing of {@code prefix} resumes after, or null for the first page.
   *
   * @throws BackendException {@code INVALID_ARGUMENT} for a token this backend did not issue for {@code prefix}
   */
  static String resumeAfter(String token, String prefix) {
    if (token.isEmpty()) {
      return null;
    }
    String decoded;
    try {
      decoded = new String(Base64.getUrlDecoder().decode(token), UTF_8);
    } catch (IllegalArgumentException e) {
      throw invalidToken(prefix);
    }
    if (!decoded.startsWith(TOKEN_MARK)) {
      throw invalidToken(prefix);
    }
    String after = decoded.substring(TOKEN_MARK.length());
    if (!after.startsWith(prefix) || !isBrokerName(after)) {
      throw invalidToken(prefix);
    }
    return after;
  }

  /** Whether {@code name} is a broker name: segments of {@code [A-Za-z0-9._-]} joined by '/', none "..". */
  static boolean isBrokerName(String name) {
    if (name.isEmpty() || name.length() > AWS_MAX_NAME_LENGTH) {
      return false;
    }
    for (String segment : name.split("/", -1)) {
      if (!SEGMENT.matcher(segment).matches() || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }

  private static BackendException invalidToken(String prefix) {
    return BackendException.invalid("page token was not issued by this backend for a listing of '" + prefix + "'");
  }
}
