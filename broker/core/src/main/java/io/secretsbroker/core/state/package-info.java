/**
 * The state database (embedded H2 by default, PostgreSQL for HA): connection pool, schema migrations, and the
 * change feed that tells every replica what changed.
 */
package io.secretsbroker.core.state;
