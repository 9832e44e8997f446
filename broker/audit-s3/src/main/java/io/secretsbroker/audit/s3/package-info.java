/**
 * The audit journal's anchor ({@link io.secretsbroker.audit.s3.S3Anchor}) and archive ({@link
 * io.secretsbroker.audit.s3.S3Archive}) in an S3 bucket, built from {@code s3://bucket/prefix} by {@link
 * io.secretsbroker.audit.s3.S3Stores}. Used by the daemon ({@code audit.anchor}, {@code audit.archive}) and by
 * {@code sbctl audit verify --archive}.
 */
package io.secretsbroker.audit.s3;
