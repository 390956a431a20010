/**
 * Implementation of the netty transport: the carrier handler, the upgrade steps, the virtual
 * channel's write path and event-loop pinning. Not API; may change without notice.
 */
package org.p2pvm.transport.netty.internal;
