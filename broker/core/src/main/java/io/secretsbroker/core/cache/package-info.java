/** The read cache: a Caffeine cache per mount, wrapped around the backend as a decorator. */
package io.secretsbroker.core.cache;
