/** The two Electron IPC channel names on the wire (kept apart so the preload bundles nothing else). */
export const IPC_INVOKE = 'blockline:invoke';
export const IPC_EVENT = 'blockline:event';
