/**
 * Guest runtimes (`<name>@<version>`, as a connector's `build/build-info.json` records the one
 * that built it) whose `cabi_realloc` frees a block when asked for size 0 and that never free
 * the results of host imports the host lowers into them. The host frees those blocks itself once
 * the guest has read them (`HostAllocationLedger`). componentize-js 0.23.0: its
 * `cabi_realloc(ptr, n, align, 0)` is `JS_free(ptr)`, and since it stopped freeing every
 * allocation of a call at `post_call` (that freed blocks its JS still used) nothing frees import
 * results, so a destination's linear memory grew by every frame's schema string (measured: about
 * 1.2 MiB a minute per stream at 500 changes/s). A runtime not listed here (older ones freed the
 * host's blocks themselves; newer ones may) keeps the leak rather than risk a double free.
 */
export const HOST_FREEABLE_GUEST_RUNTIMES = ['componentize-js@0.23.0'] as const;

/** Whether the host may free the blocks it allocated in a guest built by `runtime`. */
export function hostMayFreeAllocations(runtime: string | undefined): boolean {
  return runtime !== undefined && (HOST_FREEABLE_GUEST_RUNTIMES as readonly string[]).includes(runtime);
}
