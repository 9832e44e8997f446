package io.secretsbroker.core.rotation;

/**
 * Decides which broker runs the rotation scheduler when several share one state database. The scheduler asks
 * {@link #tryAcquire()} before every scan and again before each rotation and retirement in it, and acts only while
 * it holds the lock ({@link PostgresLeaderLock} on PostgreSQL, {@link #alwaysLeader()} on embedded H2).
 * Implementations are thread-safe.
 */
public interface LeaderLock {

  /** Acquires or renews the lock; returns whether this broker holds it now. */
  boolean tryAcquire();

  /** Gives the lock up (at shutdown), if held. */
  void release();

  /** A lock that is always held: for one broker per state database (embedded H2). */
  static LeaderLock alwaysLeader() {
    return new LeaderLock() {
      @Override
      public boolean tryAcquire() {
        return true;
      }

      @Override
      public void release() {}

      @Override
      public String toString() {
        return "always-leader";
      }
    };
  }
}
