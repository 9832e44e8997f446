package io.secretsbroker.backend.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Mono;

/** Hands out a fixed access token and records what each request for one asked. Thread-safe. */
final class TestCredential implements TokenCredential {
  private final String token;
  private final List<TokenRequestContext> requests = new CopyOnWriteArrayList<>();

  TestCredential(String token) {
    this.token = token;
  }

  /** A credential with the token the fake accepts. */
  static TestCredential accepted() {
    return new TestCredential(FakeKeyVault.TOKEN);
  }

  @Override
  public Mono<AccessToken> getToken(TokenRequestContext request) {
    return Mono.fromSupplier(() -> getTokenSync(request));
  }

  @Override
  public AccessToken getTokenSync(TokenRequestContext request) {
    requests.add(request);
    return new AccessToken(token, OffsetDateTime.now().plusHours(1));
  }

  /** Every token request so far. */
  List<TokenRequestContext> requests() {
    return List.copyOf(requests);
  }
}
