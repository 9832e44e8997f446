/**
 * The AWS Secrets Manager backend: {@link io.secretsbroker.backend.aws.AwsBackendProvider} builds, for one mount,
 * a backend that keeps each broker secret as one AWS secret (named {@code name-prefix + name}), each broker version
 * as one AWS version (its id is the broker's {@code ClientRequestToken}) and the broker's stages as the staging
 * labels {@code AWSCURRENT}, {@code AWSPREVIOUS} and {@code AWSPENDING}.
 *
 * <p>Everything but the provider is package-private: the configuration record, the name and page-token mapping,
 * the error classification and the version id generator. See {@code docs/backends/aws.md}.
 */
package io.secretsbroker.backend.aws;
