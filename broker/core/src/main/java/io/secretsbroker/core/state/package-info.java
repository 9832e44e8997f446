/**
 * The state database (embedded H2 by default, PostgreSQL for HA): connection pool, schema migrations, the change
 * feed that tells every replica what changed, and on PostgreSQL the listener that hears of each change at once
 * ({@code LISTEN/NOTIFY}, with polling as the fallback).
 */
package io.secretsbroker.core.state;
