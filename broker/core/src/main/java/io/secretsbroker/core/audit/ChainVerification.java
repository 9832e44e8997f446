package io.secretsbroker.core.audit;

import java.time.Instant;

/**
 * The result of verifying one replica's audit chain.
 *
 * @param replica the replica verified
 * @param ok whether every record checked is intact and linked, and the index agrees with the journal
 * @param recordsChecked how many records were checked
 * @param firstBrokenSequence the first bad record (0 when ok)
 * @param reason what is wrong with it ("" when ok)
 * @param source {@code journal} (this replica's files) or {@code index} (another replica's rows)
 * @param newestCheckpointSequence the newest checkpoint the verified chain reaches (0 when none)
 * @param newestCheckpointTime when that checkpoint was made (null when none)
 */
public record ChainVerification(String replica, boolean ok, long recordsChecked, long firstBrokenSequence,
    String reason, String source, long newestCheckpointSequence, Instant newestCheckpointTime) {}
