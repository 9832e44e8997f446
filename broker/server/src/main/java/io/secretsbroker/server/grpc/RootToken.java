package io.secretsbroker.server.grpc;

import io.secretsbroker.core.auth.TokenStore;
import io.secretsbroker.spi.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The dev root token: generated on first start into a file only its owner can read (0600), read back on later
 * starts. A file readable or writable by group or others is refused.
 */
final class RootToken {
  private static final Duration LIFETIME = Duration.ofDays(3650);

  private RootToken() {}

  /** Ensures the root token exists; returns true when it was created now. */
  static boolean ensure(Path file, TokenStore tokens) {
    try {
      if (Files.exists(file)) {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        for (PosixFilePermission p : perms) {
          if (p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_")) {
            throw new ConfigException("auth.root-token-file: " + file + " is accessible by group or others ("
                + PosixFilePermissions.toString(perms) + "); run chmod 600 on it");
          }
        }
        String token = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (!token.startsWith(TokenStore.TOKEN_PREFIX)) {
          throw new ConfigException("auth.root-token-file: " + file + " does not hold a Secrets Broker token");
        }
        tokens.ensure(token, "root", List.of("root"), LIFETIME);
        return false;
      }
      String token = TokenStore.newToken();
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, token, StandardCharsets.UTF_8);
      tokens.ensure(token, "root", List.of("root"), LIFETIME);
      return true;
    } catch (FileAlreadyExistsException e) {
      throw new ConfigException("auth.root-token-file: " + file + " appeared while starting; start again");
    } catch (IOException e) {
      throw new ConfigException("auth.root-token-file: " + file + " cannot be read or written ("
          + e.getClass().getSimpleName() + ")");
    }
  }
}
