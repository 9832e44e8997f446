package io.secretsbroker.core.rotation;

/**
 * One secret's row in {@code sb_rotations}: the persisted state of its rotation. Never holds a value, only a salted
 * SHA-256 of the value being rotated in.
 *
 * @param name the full secret name
 * @param state where the rotation stands
 * @param owner the engine driving it ({@code ""} when idle)
 * @param baseVersion the version that was current when the rotation began
 * @param pendingVersion the pending version's id, {@code ""} until the backend write returned and was recorded
 * @param previousVersion the version demoted to previous by the last promotion ({@code ""} when none)
 * @param salt hex salt of {@code valueHash}
 * @param valueHash hex SHA-256 of salt and value
 * @param supplied whether the caller supplied the value (it cannot be made again after a crash)
 * @param attempt attempts since the last success
 * @param lastError the last failure's safe message ({@code ""} when the last attempt succeeded)
 * @param startedMs when the current or last rotation started
 * @param updatedMs the last change of this row
 * @param lastRotatedMs the last completed rotation, 0 when never
 * @param retireAfterMs when the previous version's grace ends, 0 when nothing is left to retire
 * @param nextAttemptMs no retry before this time (backoff after failures), 0 when none
 */
record RotationRow(String name, RotationState state, String owner, String baseVersion, String pendingVersion,
    String previousVersion, String salt, String valueHash, boolean supplied, int attempt, String lastError,
    long startedMs, long updatedMs, long lastRotatedMs, long retireAfterMs, long nextAttemptMs) {}
