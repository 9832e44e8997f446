package io.secretsbroker.core.audit;

/**
 * The result of recomputing the hash chain.
 *
 * @param ok whether every record checked is intact and linked
 * @param recordsChecked how many records were checked
 * @param firstBrokenSequence the first bad record (0 when ok)
 * @param reason what is wrong with it ("" when ok)
 */
public record ChainVerification(boolean ok, long recordsChecked, long firstBrokenSequence, String reason) {}
